#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/json/value_to.hpp>

#include <fmt/format.h>

#include "hub/hub.hpp"

namespace latch::hub {

// Typed registration of hub methods. The arguments of the client's invocation are bound to
// the handler's parameter types with boost::json::try_value_to; a wrong count or a value
// of the wrong type is answered with a Completion error naming the argument, and the
// handler never runs.
//
//   addMethod(hub, "Add", [](CallContext&, std::int64_t a, std::int64_t b)
//                             -> HubResult<boost::json::value> { return a + b; });
//   addAsyncMethod(hub, "Later", [](CallContext&, std::string s, Completer done) { ... });

namespace detail {

template <class T>
struct CallableTraits : CallableTraits<decltype(&T::operator())> {};

template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...) const> {
  using Args = std::tuple<A...>;
};
template <class C, class R, class... A>
struct CallableTraits<R (C::*)(A...)> {
  using Args = std::tuple<A...>;
};

template <class T>
std::string_view jsonTypeName() {
  if constexpr (std::is_same_v<T, bool>) {
    return "a boolean";
  } else if constexpr (std::is_integral_v<T>) {
    return "a whole number";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "a number";
  } else if constexpr (std::is_same_v<T, std::string>) {
    return "a string";
  } else {
    return "of another type";
  }
}

// Converts args[I...] into a tuple of Ts, or reports the first argument that does not fit.
template <class... Ts, std::size_t... I>
bool bindArguments(const boost::json::array& args, std::tuple<Ts...>& out,
                   std::index_sequence<I...>, std::string& error) {
  bool ok = true;
  auto one = [&](auto index, auto& slot) {
    if (!ok) return;
    using T = std::decay_t<decltype(slot)>;
    auto converted = boost::json::try_value_to<T>(args[index]);
    if (converted) {
      slot = std::move(*converted);
    } else {
      ok = false;
      error =
          fmt::format("Argument {} has the wrong type: expected {}.", index + 1, jsonTypeName<T>());
    }
  };
  (one(std::integral_constant<std::size_t, I>{}, std::get<I>(out)), ...);
  (void)one;  // unused for methods without arguments
  return ok;
}

template <class Tuple>
struct DropFirst;
template <class First, class... Rest>
struct DropFirst<std::tuple<First, Rest...>> {
  using Type = std::tuple<Rest...>;
};

template <class Tuple>
struct DropLast;
template <class... A>
struct DropLast<std::tuple<A...>> {
  template <std::size_t... I>
  static auto take(std::index_sequence<I...>)
      -> std::tuple<std::tuple_element_t<I, std::tuple<A...>>...>;
  using Type = decltype(take(std::make_index_sequence<sizeof...(A) - 1>{}));
};

template <class... Ts>
std::tuple<std::decay_t<Ts>...> decayed(std::tuple<Ts...>*);

// Checks the count, binds the values, and calls `invoke(tuple)` on success.
template <class Params, class Invoke>
void bindAndCall(boost::json::array& args, const Completer& done, Invoke&& invoke) {
  using Values = decltype(decayed(static_cast<Params*>(nullptr)));
  constexpr std::size_t kArity = std::tuple_size_v<Values>;
  if (args.size() != kArity) {
    done.error(fmt::format("Invocation provides {} argument(s) but target expects {}.", args.size(),
                           kArity));
    return;
  }
  Values values;
  std::string error;
  if (!bindArguments(args, values, std::make_index_sequence<kArity>{}, error)) {
    done.error(error);
    return;
  }
  invoke(std::move(values));
}

}  // namespace detail

// F: (CallContext&, Args...) -> HubResult<boost::json::value>.
// `roles`: see Hub::add.
template <class F>
void addMethod(Hub& hub, std::string name, F f, std::vector<std::string> roles = {}) {
  using Params = typename detail::DropFirst<typename detail::CallableTraits<F>::Args>::Type;
  hub.add(
      std::move(name),
      [f = std::move(f)](CallContext& ctx, boost::json::array& args, Completer done) {
        detail::bindAndCall<Params>(args, done, [&](auto&& values) {
          HubResult<boost::json::value> r =
              std::apply([&](auto&&... v) { return f(ctx, std::move(v)...); }, std::move(values));
          if (r) {
            done.result(*r);
          } else {
            done.error(r.error().message);
          }
        });
      },
      std::move(roles));
}

// F: (CallContext&, Args..., Completer) -> void; completes through the Completer.
template <class F>
void addAsyncMethod(Hub& hub, std::string name, F f, std::vector<std::string> roles = {}) {
  using WithCompleter = typename detail::DropFirst<typename detail::CallableTraits<F>::Args>::Type;
  using Params = typename detail::DropLast<WithCompleter>::Type;
  hub.add(
      std::move(name),
      [f = std::move(f)](CallContext& ctx, boost::json::array& args, Completer done) {
        detail::bindAndCall<Params>(args, done, [&](auto&& values) {
          std::apply([&](auto&&... v) { f(ctx, std::move(v)..., done); }, std::move(values));
        });
      },
      std::move(roles));
}

}  // namespace latch::hub
