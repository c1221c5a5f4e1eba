#include "daemon/authoring/profile_editor.hpp"

#include <algorithm>
#include <vector>

#include "config/profile_form.hpp"
#include "config/profile_loader.hpp"
#include "daemon/authoring/child_caps.hpp"
#include "daemon/preview/profile_preview.hpp"
#include "daemon/record/status_json.hpp"
#include "daemon/session/child_rules.hpp"

namespace sensoryd::authoring {

namespace {

using nlohmann::json;

// The room's own profile with this id: a technician's, which the tablet may only duplicate.
const config::Profile* room_profile(const config::Room& room, const std::string& id) {
  const config::Profile* p = room.find_profile(id);
  return p != nullptr && p->origin == config::ProfileOrigin::room ? p : nullptr;
}

EditResult not_editable(const std::string& request_id, const std::string& id) {
  return refused(
      request_id, "room_profile",
      "'" + id +
          "' is one of the room's profiles, kept by its technician: duplicate it "
          "under an id of your own and edit the copy",
      {{"fields",
        json::array({{{"pointer", "/id"}, {"message", "'" + id + "' is a room profile"}}})}});
}

// What a save changed, in words for the clinical log: "new", or the parts that differ.
std::string summary_of(const config::Profile* before, const config::Profile& after) {
  if (before == nullptr) return "new profile, " + std::to_string(after.steps.size()) + " step(s)";
  std::vector<std::string> parts;
  if (before->title != after.title) parts.push_back("title");
  if (before->purpose != after.purpose) parts.push_back("purpose");
  if (before->allow_strobe != after.allow_strobe) parts.push_back("allow_strobe");
  for (std::size_t i = 0; i < std::max(before->steps.size(), after.steps.size()); ++i) {
    if (i >= after.steps.size()) {
      parts.push_back("step " + std::to_string(i + 1) + " removed");
    } else if (i >= before->steps.size()) {
      parts.push_back("step " + std::to_string(i + 1) + " '" + after.steps[i].name + "' added");
    } else if (!(before->steps[i] == after.steps[i])) {
      const auto& a = before->steps[i];
      const auto& b = after.steps[i];
      std::vector<std::string> what;
      if (a.name != b.name) what.push_back("name");
      if (a.duration != b.duration) what.push_back("duration");
      if (a.swing != b.swing) what.push_back("swing");
      if (a.lights != b.lights) what.push_back("lights");
      if (a.sound != b.sound) what.push_back("sound");
      std::string list;
      for (const auto& w : what) list += (list.empty() ? "" : ", ") + w;
      parts.push_back("step " + std::to_string(i + 1) + " '" + b.name + "' (" + list + ")");
    }
  }
  if (before->loop != after.loop) parts.push_back("loop");
  if (before->wind_down != after.wind_down) parts.push_back("wind-down");
  if (before->triggers != after.triggers) parts.push_back("triggers");
  if (parts.empty()) return "saved unchanged";
  std::string text = "changed: ";
  for (std::size_t i = 0; i < parts.size(); ++i) text += (i ? "; " : "") + parts[i];
  return text;
}

}  // namespace

EditResult ProfileEditor::in_force(const StoredVersion& stored, config::Profile profile,
                                   const std::string& author, const std::string& summary) {
  EditResult result = done(
      {}, {{"profile_id", profile.id}, {"version", stored.version}, {"sha256", stored.sha256}});
  result.record = json{{"profile_id", profile.id},
                       {"version", stored.version},
                       {"sha256", stored.sha256},
                       {"author", author},
                       {"summary", summary}};
  profile.origin = config::ProfileOrigin::authored;
  profile.version = stored.version;
  result.saved = std::move(profile);
  return result;
}

EditResult ProfileEditor::handle(const EditRequest& request, const config::Room& room) {
  auto read = read_edit(request);
  if (auto* refusal = std::get_if<EditResult>(&read)) return std::move(*refusal);
  auto& [body, request_id, author] = std::get<EditBody>(read);
  EditResult result;
  switch (request.action) {
    case Action::profile_validate:
      result = validate(body, room);
      break;
    case Action::profile_preview:
      result = preview(body, room);
      break;
    case Action::profile_save:
      result = save(body, author, room);
      break;
    case Action::profile_delete:
      result = remove(body, author, room);
      break;
    case Action::profile_history:
      result = history(body);
      break;
    case Action::profile_restore:
      result = restore(body, author, room);
      break;
    default:
      result = refused({}, "unknown_action",
                       "'" + std::string{to_string(request.action)} + "' is not a profile command");
  }
  result.request_id = request_id;
  return result;
}

EditResult ProfileEditor::validate(const json& body, const config::Room& room) {
  auto form = body.find("profile");
  if (form == body.end() || !form->is_object()) {
    return refused({}, "bad_request", "profile_validate needs the profile, as a JSON object");
  }
  const config::Child* child = nullptr;
  if (auto it = body.find("child"); it != body.end()) {
    if (!it->is_string()) return refused({}, "bad_request", "child must be a child's id");
    child = room.find_child(it->get<std::string>());
    if (child == nullptr) {
      return refused({}, "unknown_child",
                     "there is no child '" + it->get<std::string>() +
                         "' in this room's configuration: check the id");
    }
  }
  std::string id = form->value("id", std::string{});
  if (!id.empty() && room_profile(room, id) != nullptr) return not_editable({}, id);
  auto check = config::check_profile_form(*form, room, store_.dir() / (id + ".toml"));
  if (!check.errors.empty()) return invalid("invalid_profile", check.errors);
  json warnings = fields_of(check.warnings);
  if (child != nullptr) {
    // With a child: that child's caps and flags too, at their fields.
    auto errors = child_cap_errors(*form, *check.profile, *child);
    if (!errors.empty()) return invalid("invalid_profile", errors);
    config::Child listed_only = *child;
    listed_only.flags.clear();
    if (auto reason = contraindication(*check.profile, listed_only)) {
      warnings.push_back({{"pointer", "/id"}, {"message", *reason}});
    }
  }
  return done({}, {{"warnings", std::move(warnings)}});
}

EditResult ProfileEditor::preview(const json& body, const config::Room& room) {
  std::optional<config::Profile> profile;
  if (auto form = body.find("profile"); form != body.end()) {
    if (!form->is_object()) return refused({}, "bad_request", "profile must be a JSON object");
    std::string id = form->value("id", std::string{});
    auto check = config::check_profile_form(*form, room, store_.dir() / (id + ".toml"));
    if (!check.errors.empty()) return invalid("invalid_profile", check.errors);
    profile = std::move(check.profile);
  } else if (auto it = body.find("profile_id"); it != body.end() && it->is_string()) {
    const config::Profile* in_force = room.find_profile(it->get<std::string>());
    if (in_force == nullptr) {
      return refused({}, "unknown_profile",
                     "there is no profile '" + it->get<std::string>() + "' to preview");
    }
    profile = *in_force;
  } else {
    return refused({}, "bad_request",
                   "profile_preview needs the profile (its JSON form) or a profile_id");
  }
  preview::PreviewRequest request;
  request.tick = tick_;
  if (auto it = body.find("child"); it != body.end()) {
    if (!it->is_string()) return refused({}, "bad_request", "child must be a child's id");
    request.child = it->get<std::string>();
  }
  if (auto it = body.find("intensity"); it != body.end()) {
    if (!it->is_number()) return refused({}, "bad_request", "intensity must be a number");
    request.intensity = it->get<double>();
  }
  auto go_after = whole(body, "go_after_s", 0, static_cast<int>(request.go_after.count()));
  if (!go_after || *go_after > preview::kMaxGoAfter.count()) {
    return refused({}, "bad_request",
                   "go_after_s must be whole seconds from 0 to " +
                       std::to_string(preview::kMaxGoAfter.count()));
  }
  request.go_after = std::chrono::seconds{*go_after};
  auto computed = preview::compute_preview(room, *profile, request);
  if (const auto* error = std::get_if<preview::PreviewError>(&computed)) {
    return refused({}, error->code, error->message);
  }
  return done({}, preview::preview_json(std::get<preview::Preview>(computed)));
}

namespace {

// The room publishes every profile's form in one retained message, bounded by what its broker
// carries (kMaxProfilesMessageBytes): a profile that would not fit beside the others is refused.
std::optional<EditResult> over_profiles_bound(const config::Room& room,
                                              const config::Profile& profile) {
  std::size_t bytes = profiles_json_bytes(room.profiles, profile);
  if (bytes <= kMaxProfilesMessageBytes) return std::nullopt;
  return refused({}, "profiles_full",
                 "the room's profiles would take " + std::to_string(bytes / 1024) +
                     " KiB together, more than the " +
                     std::to_string(kMaxProfilesMessageBytes / 1024) +
                     " KiB the room publishes them in: delete a profile no longer used, or "
                     "shorten this one");
}

}  // namespace

EditResult ProfileEditor::save(const json& body, const std::string& author,
                               const config::Room& room) {
  auto form = body.find("profile");
  if (form == body.end() || !form->is_object()) {
    return refused({}, "bad_request", "profile_save needs the profile, as a JSON object");
  }
  auto base = whole(body, "base_version", 0, 0);
  if (!base) {
    return refused({}, "bad_request",
                   "base_version must be the version you opened (0 for a new profile)");
  }
  std::string id = form->value("id", std::string{});
  if (!id.empty() && room_profile(room, id) != nullptr) return not_editable({}, id);
  auto check = config::check_profile_form(*form, room, store_.dir() / (id + ".toml"));
  if (!check.errors.empty()) return invalid("invalid_profile", check.errors);
  if (auto full = over_profiles_bound(room, *check.profile)) return *full;
  auto stored = store_.save(id, check.toml, *base);
  if (const auto* error = std::get_if<StoreError>(&stored)) {
    return store_refused(store_, *error, id, "profile");
  }
  std::string summary = summary_of(room.find_profile(id), *check.profile);
  EditResult result =
      in_force(std::get<StoredVersion>(stored), std::move(*check.profile), author, summary);
  result.reply["warnings"] = fields_of(check.warnings);
  return result;
}

EditResult ProfileEditor::remove(const json& body, const std::string& author,
                                 const config::Room& room) {
  std::string id = body.value("profile_id", std::string{});
  auto base = whole(body, "base_version", 1, std::nullopt);
  if (id.empty() || !base) {
    return refused({}, "bad_request",
                   "profile_delete needs profile_id and base_version (the version you see)");
  }
  if (room_profile(room, id) != nullptr) return not_editable({}, id);
  auto stored = store_.remove(id, *base);
  if (const auto* error = std::get_if<StoreError>(&stored)) {
    return store_refused(store_, *error, id, "profile");
  }
  int version = std::get<StoredVersion>(stored).version;
  EditResult result = done({}, {{"profile_id", id}, {"version", version}});
  result.deleted = id;
  result.record = json{{"profile_id", id}, {"version", version}, {"author", author}};
  return result;
}

EditResult ProfileEditor::history(const json& body) {
  std::string id = body.value("profile_id", std::string{});
  if (id.empty()) return refused({}, "bad_request", "profile_history needs profile_id");
  if (auto bad = ProfileStore::check_id(id)) return refused({}, bad->code, bad->message);
  auto versions = store_.history(id);
  if (versions.empty()) {
    return refused({}, "not_found", "no authored profile '" + id + "' was ever saved");
  }
  json list = json::array();
  for (const auto& v : versions) {
    list.push_back({{"version", v.version}, {"sha256", v.sha256}, {"deleted", v.deleted}});
  }
  json fields{{"profile_id", id}, {"versions", list}};
  // One version's content on request, to look at before restoring it.
  if (body.contains("version")) {
    auto version = whole(body, "version", 1, std::nullopt);
    auto text = version ? store_.text(id, *version) : std::nullopt;
    auto form = text ? config::profile_form_from_toml(*text) : std::nullopt;
    if (!form) {
      return refused({}, "not_found", "'" + id + "' has no saved content at that version");
    }
    fields["profile"] = *form;
  }
  return done({}, std::move(fields));
}

EditResult ProfileEditor::restore(const json& body, const std::string& author,
                                  const config::Room& room) {
  std::string id = body.value("profile_id", std::string{});
  auto version = whole(body, "version", 1, std::nullopt);
  auto base = whole(body, "base_version", 1, std::nullopt);
  if (id.empty() || !version || !base) {
    return refused({}, "bad_request",
                   "profile_restore needs profile_id, version (the one to restore) and "
                   "base_version (the latest you see)");
  }
  if (auto bad = ProfileStore::check_id(id)) return refused({}, bad->code, bad->message);
  auto text = store_.text(id, *version);
  auto form = text ? config::profile_form_from_toml(*text) : std::nullopt;
  if (!form) {
    return refused({}, "not_found", "'" + id + "' has no saved content at that version");
  }
  // Checked again: the room's limits or devices may have changed since it was saved.
  auto check = config::check_profile_form(*form, room, store_.dir() / (id + ".toml"));
  if (!check.errors.empty()) return invalid("invalid_profile", check.errors);
  if (auto full = over_profiles_bound(room, *check.profile)) return *full;
  auto stored = store_.restore(id, *version, *base);
  if (const auto* error = std::get_if<StoreError>(&stored)) {
    return store_refused(store_, *error, id, "profile");
  }
  return in_force(std::get<StoredVersion>(stored), std::move(*check.profile), author,
                  "restored version " + std::to_string(*version));
}

}  // namespace sensoryd::authoring
