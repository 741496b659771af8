#include "protocol/hub_message.hpp"

#include <boost/json/parse.hpp>

#include <fmt/format.h>

namespace latch::protocol {
namespace json = boost::json;

namespace {

ProtocolError missing(std::string_view field) {
  return makeError(ProtocolErrc::MissingField,
                   fmt::format("Missing required property '{}'.", field));
}

ProtocolError wrongType(std::string_view field, std::string_view expected) {
  return makeError(ProtocolErrc::WrongFieldType,
                   fmt::format("Property '{}' must be {}.", field, expected));
}

ProtocolResult<std::string> requiredString(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return missing(key);
  if (!v->is_string()) return wrongType(key, "a string");
  return std::string(v->get_string());
}

ProtocolResult<std::optional<std::string>> optionalString(const json::object& o,
                                                          std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return wrongType(key, "a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

ProtocolResult<std::string> invocationId(const json::object& o, const ParseLimits& limits) {
  auto id = requiredString(o, "invocationId");
  if (!id) return id;
  if (id->size() > limits.maxInvocationIdBytes) {
    return makeError(ProtocolErrc::InvalidValue, "Invocation id is too long.");
  }
  return id;
}

ProtocolResult<void> checkHeaders(const json::object& o) {
  const json::value* h = o.if_contains("headers");
  if (h == nullptr || h->is_null()) return {};
  if (!h->is_object()) return wrongType("headers", "an object");
  for (const auto& kv : h->get_object()) {
    if (!kv.value().is_string()) return wrongType("headers", "an object of strings");
  }
  return {};
}

ProtocolResult<HubMessage> parseInvocation(json::object& o, bool stream,
                                           const ParseLimits& limits) {
  // Arguments on the document's storage, so moving them in below steals instead of copying.
  InvocationMessage m{.arguments = json::array(o.storage())};
  m.stream = stream;
  if (stream || o.contains("invocationId")) {
    const json::value* raw = o.if_contains("invocationId");
    if (!stream && raw != nullptr && raw->is_null()) {
      // A null id means non-blocking, like an absent one.
    } else {
      auto id = invocationId(o, limits);
      if (!id) return id.error();
      m.invocationId = std::move(*id);
    }
  }
  auto target = requiredString(o, "target");
  if (!target) return target.error();
  if (target->empty()) return makeError(ProtocolErrc::InvalidValue, "Target must not be empty.");
  m.target = std::move(*target);
  json::value* args = o.if_contains("arguments");
  if (args == nullptr) return missing("arguments");
  if (!args->is_array()) return wrongType("arguments", "an array");
  m.arguments = std::move(args->get_array());
  if (const json::value* ids = o.if_contains("streamIds"); ids != nullptr && !ids->is_null()) {
    if (!ids->is_array()) return wrongType("streamIds", "an array of strings");
    for (const auto& id : ids->get_array()) {
      if (!id.is_string()) return wrongType("streamIds", "an array of strings");
      if (id.get_string().size() > limits.maxInvocationIdBytes) {
        return makeError(ProtocolErrc::InvalidValue, "Stream id is too long.");
      }
      m.streamIds.emplace_back(id.get_string());
    }
  }
  return HubMessage(std::move(m));
}

ProtocolResult<HubMessage> parseCompletion(json::object& o, const ParseLimits& limits) {
  CompletionMessage m;
  auto id = invocationId(o, limits);
  if (!id) return id.error();
  m.invocationId = std::move(*id);
  auto error = optionalString(o, "error");
  if (!error) return error.error();
  m.error = std::move(*error);
  if (json::value* r = o.if_contains("result"); r != nullptr) {
    if (m.error) {
      return makeError(ProtocolErrc::InvalidValue,
                       "A completion must not carry both a result and an error.");
    }
    m.result = std::move(*r);
  }
  return HubMessage(std::move(m));
}

ProtocolResult<std::int64_t> sequenceId(const json::object& o) {
  const json::value* v = o.if_contains("sequenceId");
  if (v == nullptr) return missing("sequenceId");
  if (!v->is_int64() || v->get_int64() < 0) return wrongType("sequenceId", "a whole number");
  return v->get_int64();
}

}  // namespace

ProtocolResult<HubMessage> parseHubMessage(std::string_view text, const ParseLimits& limits,
                                           json::storage_ptr storage) {
  json::parse_options options;
  options.max_depth = limits.maxDepth;
  boost::system::error_code ec;
  json::value doc =
      json::parse(json::string_view(text.data(), text.size()), ec, std::move(storage), options);
  if (ec) return makeError(ProtocolErrc::InvalidJson, "Message is not valid JSON.");
  if (!doc.is_object())
    return makeError(ProtocolErrc::NotAnObject, "Message is not a JSON object.");
  json::object& o = doc.get_object();
  const json::value* type = o.if_contains("type");
  if (type == nullptr) return missing("type");
  if (!type->is_int64()) return wrongType("type", "a whole number");
  if (auto h = checkHeaders(o); !h) return h.error();

  switch (static_cast<MessageType>(type->get_int64())) {
    case MessageType::Invocation:
      return parseInvocation(o, false, limits);
    case MessageType::StreamInvocation:
      return parseInvocation(o, true, limits);
    case MessageType::StreamItem: {
      StreamItemMessage m;
      auto id = invocationId(o, limits);
      if (!id) return id.error();
      m.invocationId = std::move(*id);
      json::value* item = o.if_contains("item");
      if (item == nullptr) return missing("item");
      m.item = std::move(*item);
      return HubMessage(std::move(m));
    }
    case MessageType::Completion:
      return parseCompletion(o, limits);
    case MessageType::CancelInvocation: {
      auto id = invocationId(o, limits);
      if (!id) return id.error();
      return HubMessage(CancelInvocationMessage{std::move(*id)});
    }
    case MessageType::Ping:
      return HubMessage(PingMessage{});
    case MessageType::Close: {
      CloseMessage m;
      auto error = optionalString(o, "error");
      if (!error) return error.error();
      m.error = std::move(*error);
      if (const json::value* r = o.if_contains("allowReconnect"); r != nullptr && !r->is_null()) {
        if (!r->is_bool()) return wrongType("allowReconnect", "a boolean");
        m.allowReconnect = r->get_bool();
      }
      return HubMessage(std::move(m));
    }
    case MessageType::Ack: {
      auto seq = sequenceId(o);
      if (!seq) return seq.error();
      return HubMessage(AckMessage{*seq});
    }
    case MessageType::Sequence: {
      auto seq = sequenceId(o);
      if (!seq) return seq.error();
      return HubMessage(SequenceMessage{*seq});
    }
  }
  return makeError(ProtocolErrc::UnknownMessageType, "Unknown message type.");
}

}  // namespace latch::protocol
