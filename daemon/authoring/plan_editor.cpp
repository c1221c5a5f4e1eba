#include "daemon/authoring/plan_editor.hpp"

#include <string>
#include <vector>

#include "config/plan_form.hpp"

namespace sensoryd::authoring {

namespace {

using nlohmann::json;

// What a save changed, in words for the clinical log.
std::string summary_of(const config::Child* before, const config::Child& after) {
  if (before == nullptr) return "new child";
  std::vector<std::string> parts;
  if (before->profiles != after.profiles) parts.push_back("approved profiles");
  if (before->flags != after.flags) parts.push_back("flags");
  if (before->max_amplitude_deg != after.max_amplitude_deg) parts.push_back("max_amplitude_deg");
  if (before->rotary_allowed != after.rotary_allowed) parts.push_back("rotary_allowed");
  if (before->max_dba != after.max_dba) parts.push_back("max_dba");
  if (before->max_brightness_pct != after.max_brightness_pct) parts.push_back("max_brightness");
  if (parts.empty()) return "saved unchanged";
  std::string text = "changed: ";
  for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? ", " : "") + parts[i];
  return text;
}

}  // namespace

EditResult PlanEditor::handle(const EditRequest& request, const config::Room& room) {
  auto read = read_edit(request);
  if (auto* refusal = std::get_if<EditResult>(&read)) return std::move(*refusal);
  auto& [body, request_id, author] = std::get<EditBody>(read);
  EditResult result;
  switch (request.action) {
    case Action::child_plan_save:
      result = save(body, author, room);
      break;
    case Action::child_plan_history:
      result = history(body);
      break;
    default:
      result = refused({}, "unknown_action",
                       "'" + std::string{to_string(request.action)} + "' is not a plan command");
  }
  result.request_id = request_id;
  return result;
}

EditResult PlanEditor::save(const json& body, const std::string& author, const config::Room& room) {
  std::string id = body.value("child", std::string{});
  auto plan = body.find("plan");
  auto base = whole(body, "base_version", 0, 0);
  if (id.empty() || plan == body.end() || !plan->is_object() || !base) {
    return refused({}, "bad_request",
                   "child_plan_save needs child, plan (a JSON object) and base_version (the "
                   "plan's version you opened; 0 for the room file's or a new child)");
  }
  if (auto bad = ProfileStore::check_id(id)) return refused({}, bad->code, bad->message);
  auto check = config::check_plan_form(*plan, id, room, store_.dir() / (id + ".toml"));
  if (!check.errors.empty()) return invalid("invalid_plan", check.errors);
  auto stored = store_.save(id, check.toml, *base);
  if (const auto* error = std::get_if<StoreError>(&stored)) {
    return store_refused(store_, *error, id, "the plan of child");
  }
  const auto& version = std::get<StoredVersion>(stored);
  EditResult result =
      done({}, {{"child", id}, {"version", version.version}, {"sha256", version.sha256}});
  result.record = json{{"child", id},
                       {"version", version.version},
                       {"sha256", version.sha256},
                       {"author", author},
                       {"summary", summary_of(room.find_child(id), *check.child)}};
  check.child->plan_version = version.version;
  result.plan = std::move(check.child);
  return result;
}

EditResult PlanEditor::history(const json& body) {
  std::string id = body.value("child", std::string{});
  if (id.empty()) return refused({}, "bad_request", "child_plan_history needs child");
  if (auto bad = ProfileStore::check_id(id)) return refused({}, bad->code, bad->message);
  auto versions = store_.history(id);
  if (versions.empty()) {
    return refused({}, "not_found", "no plan was ever saved for child '" + id + "'");
  }
  json list = json::array();
  for (const auto& v : versions) list.push_back({{"version", v.version}, {"sha256", v.sha256}});
  json fields{{"child", id}, {"versions", list}};
  if (body.contains("version")) {
    auto version = whole(body, "version", 1, std::nullopt);
    auto text = version ? store_.text(id, *version) : std::nullopt;
    auto form = text ? config::profile_form_from_toml(*text) : std::nullopt;
    if (!form) return refused({}, "not_found", "child '" + id + "' has no plan at that version");
    fields["plan"] = *form;
  }
  return done({}, std::move(fields));
}

}  // namespace sensoryd::authoring
