#include "protocol/message_writer.hpp"

#include <boost/json/serializer.hpp>

#include "protocol/record_splitter.hpp"

namespace latch::protocol {

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the current run of characters that need no escaping
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.substr(run, i - run));
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
    }
  }
  out.append(text.substr(run));
  out += '"';
}

namespace {

template <class T>
void serializeInto(std::string& out, const T& value) {
  boost::json::serializer sr;
  sr.reset(&value);
  char buffer[1024];
  while (!sr.done()) out.append(sr.read(buffer));
}

void completionHead(std::string& out, std::string_view invocationId) {
  out += R"({"type":3,"invocationId":)";
  appendJsonString(out, invocationId);
}

}  // namespace

void appendJsonValue(std::string& out, const boost::json::value& value) {
  serializeInto(out, value);
}

void writeCompletionResult(std::string& out, std::string_view invocationId,
                           const boost::json::value& result) {
  completionHead(out, invocationId);
  out += R"(,"result":)";
  appendJsonValue(out, result);
  out += '}';
  out += kRecordSeparator;
}

void writeCompletionVoid(std::string& out, std::string_view invocationId) {
  completionHead(out, invocationId);
  out += '}';
  out += kRecordSeparator;
}

void writeCompletionError(std::string& out, std::string_view invocationId, std::string_view error) {
  completionHead(out, invocationId);
  out += R"(,"error":)";
  appendJsonString(out, error);
  out += '}';
  out += kRecordSeparator;
}

void writeInvocation(std::string& out, std::string_view invocationId, std::string_view target,
                     const boost::json::array& arguments) {
  out += R"({"type":1,)";
  if (!invocationId.empty()) {
    out += R"("invocationId":)";
    appendJsonString(out, invocationId);
    out += ',';
  }
  out += R"("target":)";
  appendJsonString(out, target);
  out += R"(,"arguments":)";
  serializeInto(out, arguments);
  out += '}';
  out += kRecordSeparator;
}

void writePing(std::string& out) {
  out += R"({"type":6})";
  out += kRecordSeparator;
}

void writeClose(std::string& out, std::optional<std::string_view> error, bool allowReconnect) {
  out += R"({"type":7)";
  if (error) {
    out += R"(,"error":)";
    appendJsonString(out, *error);
  }
  if (allowReconnect) out += R"(,"allowReconnect":true)";
  out += '}';
  out += kRecordSeparator;
}

}  // namespace latch::protocol
