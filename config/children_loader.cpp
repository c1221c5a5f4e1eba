#include "config/children_loader.hpp"

#include "config/units.hpp"

namespace sensoryd::config {

const char* to_string(ChildFlag flag) {
  switch (flag) {
    case ChildFlag::photosensitive:
      return "photosensitive";
    case ChildFlag::vestibular_sensitive:
      return "vestibular_sensitive";
    case ChildFlag::sound_sensitive:
      return "sound_sensitive";
    case ChildFlag::pacemaker:
      return "pacemaker";
    case ChildFlag::epilepsy:
      return "epilepsy";
  }
  return "unknown";
}

namespace {

Child read_child(TableReader& reader, const std::string& id, const std::string& where,
                 const Limits& limits) {
  Child child;
  child.id = id;
  child.max_amplitude_deg =
      reader.number("max_amplitude_deg", Need::optional, 0.0, limits.swing.max_amplitude_deg);
  child.rotary_allowed = reader.boolean("rotary_allowed", Need::optional);
  child.max_dba = reader.decibels("max_dba", Need::optional, 0.0, limits.sound.max_dba);
  child.max_brightness_pct = reader.percent("max_brightness", Need::optional);
  if (auto flags = reader.string_list("flags", Need::optional)) {
    for (const auto& name : *flags) {
      bool known = false;
      for (ChildFlag flag :
           {ChildFlag::photosensitive, ChildFlag::vestibular_sensitive, ChildFlag::sound_sensitive,
            ChildFlag::pacemaker, ChildFlag::epilepsy}) {
        if (name == to_string(flag)) {
          child.flags.insert(flag);
          known = true;
        }
      }
      if (!known) {
        reader.error_at_key("flags", "unknown flag \"" + name + "\" in " + where +
                                         ": use photosensitive, vestibular_sensitive, "
                                         "sound_sensitive, pacemaker or epilepsy");
      }
    }
  }
  if (child.has(ChildFlag::vestibular_sensitive) && child.rotary_allowed == true) {
    reader.error_at_key("rotary_allowed", where +
                                              " is vestibular_sensitive: rotary swing "
                                              "cannot be allowed; remove rotary_allowed");
  }
  // S15: a vestibular-sensitive child swings lower than the room allows; the clinic says how
  // much lower, since no one figure suits every child.
  if (child.has(ChildFlag::vestibular_sensitive) &&
      (!child.max_amplitude_deg || *child.max_amplitude_deg >= limits.swing.max_amplitude_deg)) {
    reader.error_at_key("flags", where +
                                     " is vestibular_sensitive: give it max_amplitude_deg "
                                     "below the room's limit of " +
                                     format_number(limits.swing.max_amplitude_deg) +
                                     " deg (a lower amplitude, S15)");
  }
  child.profiles =
      reader.string_list("profiles", Need::optional).value_or(std::vector<std::string>{});
  reader.finish();
  return child;
}

}  // namespace

void read_children(TableReader& root, Room& room, Diagnostics& diagnostics) {
  const toml::table* children = root.table("children", Need::optional);
  if (children == nullptr) return;
  for (const auto& [key, node] : *children) {
    std::string id{key.str()};
    std::string where = "[children." + id + "]";
    if (!node.is_table()) {
      root.error_at(node.source(), where + " must be a table");
      continue;
    }
    TableReader reader(*node.as_table(), where, diagnostics);
    if (!is_plain_id(id)) {
      reader.error_at(key.source(), "child id \"" + id +
                                        "\" must use only a-z, 0-9, '-' and '_' (a pseudonym, "
                                        "never a name)");
    }
    room.children.emplace(id, read_child(reader, id, where, room.limits));
  }
}

std::optional<Child> load_child_plan(std::string_view toml_text, const std::filesystem::path& name,
                                     const std::string& id, const Room& room,
                                     Diagnostics& diagnostics) {
  auto parsed = parse_toml(toml_text, name.string(), diagnostics);
  if (!parsed) return std::nullopt;
  std::size_t errors_before = diagnostics.errors.size();
  std::string where = "the plan of child " + id;
  TableReader reader(*parsed, where, diagnostics);
  Child child = read_child(reader, id, where, room.limits);
  if (diagnostics.errors.size() != errors_before) return std::nullopt;
  return child;
}

}  // namespace sensoryd::config
