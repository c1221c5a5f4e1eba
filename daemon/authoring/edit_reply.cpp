#include "daemon/authoring/edit_reply.hpp"

#include <algorithm>

#include "config/profile_loader.hpp"

namespace sensoryd::authoring {

using nlohmann::json;

std::variant<EditBody, EditResult> read_edit(const EditRequest& request) {
  if (std::max(request.payload.size(), request.payload_bytes) > config::kMaxProfileCommandBytes) {
    return refused({}, "bad_request",
                   "the command is larger than " + std::to_string(config::kMaxProfileCommandBytes) +
                       " bytes: a profile of at most " + std::to_string(config::kMaxProfileSteps) +
                       " steps fits");
  }
  EditBody read;
  read.body =
      request.payload.empty() ? json::object() : json::parse(request.payload, nullptr, false);
  if (!read.body.is_object()) {
    return refused({}, "bad_request", "the command must be a JSON object such as {}");
  }
  if (auto it = read.body.find("request_id"); it != read.body.end()) {
    if (!it->is_string()) return refused({}, "bad_request", "request_id must be a string");
    read.request_id = it->get<std::string>();
  }
  // On the open path (no broker user) the sender is whom the payload names, as for a session.
  read.author = request.author;
  if (auto it = read.body.find("therapist");
      read.author.empty() && it != read.body.end() && it->is_string()) {
    read.author = it->get<std::string>();
  }
  if (read.author.empty()) read.author = "unnamed";
  return read;
}

EditResult refused(const std::string& request_id, std::string code, std::string message,
                   json details) {
  EditResult result;
  result.request_id = request_id;
  result.code = std::move(code);
  result.message = std::move(message);
  result.reply = std::move(details);
  return result;
}

EditResult done(const std::string& request_id, json fields) {
  EditResult result;
  result.request_id = request_id;
  result.ok = true;
  result.reply = std::move(fields);
  return result;
}

std::optional<int> whole(const json& body, const char* key, int min, std::optional<int> fallback) {
  auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (!it->is_number_integer() && !it->is_number_unsigned()) return std::nullopt;
  auto value = it->get<long long>();
  if (value < min || value > 1'000'000) return std::nullopt;
  return static_cast<int>(value);
}

json fields_of(const std::vector<config::FormError>& errors) {
  json out = json::array();
  for (const auto& e : errors) out.push_back({{"pointer", e.pointer}, {"message", e.message}});
  return out;
}

EditResult invalid(const std::string& code, const std::vector<config::FormError>& errors) {
  return refused({}, code,
                 std::to_string(errors.size()) + " error(s), the first: " + errors.front().message,
                 {{"fields", fields_of(errors)}});
}

EditResult store_refused(const ProfileStore& store, const StoreError& error, const std::string& id,
                         const std::string& what) {
  int latest = store.latest(id);
  std::string message = error.message;
  if (error.code == "version_conflict") {
    message = what + " '" + id + "' was saved as version " + std::to_string(latest) +
              " since you opened it: reload it, make your change again and save";
  }
  return refused({}, error.code, message, {{"version", latest}});
}

}  // namespace sensoryd::authoring
