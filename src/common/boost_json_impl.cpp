// Compiles Boost.JSON and Boost.URL once, for the whole program (see CMakeLists.txt).
#include <boost/json/src.hpp>
#include <boost/url/src.hpp>
