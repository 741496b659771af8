// Compiles Boost.Asio (with SSL) and Boost.Beast once, for the whole program: every other
// file includes their headers only (BOOST_*_SEPARATE_COMPILATION, see CMakeLists.txt).
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
#include <boost/beast/src.hpp>
