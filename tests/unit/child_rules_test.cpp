#include <gtest/gtest.h>

#include "daemon/session/child_rules.hpp"

namespace sensoryd {
namespace {

config::Profile profile_with(config::LightEffect effect, config::SwingMode mode) {
  config::Profile p;
  p.id = "p";
  config::Step step;
  step.name = "s";
  step.duration = std::chrono::seconds(20);
  step.swing = config::SwingSetting{mode, 5.0, 4.0, 0.2, config::Direction::clockwise, {}};
  config::LightSetting light;
  light.effect = effect;
  step.lights.push_back(light);
  p.steps.push_back(step);
  return p;
}

TEST(ChildRules, AnOrdinaryProfileSuitsAChildWithoutFlags) {
  config::Child child;
  child.id = "c-1";
  EXPECT_FALSE(contraindication(
      profile_with(config::LightEffect::breathe, config::SwingMode::linear), child));
}

TEST(ChildRules, NoStrobeForAPhotosensitiveChild) {
  config::Child child;
  child.id = "c-1";
  child.flags.insert(config::ChildFlag::photosensitive);
  auto reason =
      contraindication(profile_with(config::LightEffect::strobe, config::SwingMode::linear), child);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("photosensitive"), std::string::npos);
  EXPECT_FALSE(
      contraindication(profile_with(config::LightEffect::none, config::SwingMode::linear), child));
}

TEST(ChildRules, NoRotaryForAVestibularSensitiveChild) {
  config::Child child;
  child.id = "c-2";
  child.flags.insert(config::ChildFlag::vestibular_sensitive);
  auto reason =
      contraindication(profile_with(config::LightEffect::none, config::SwingMode::rotary), child);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("rotary"), std::string::npos);
}

TEST(ChildRules, OnlyApprovedProfilesWhenTheChildHasAList) {
  config::Child child;
  child.id = "c-3";
  child.profiles = {"calm-down"};
  auto reason =
      contraindication(profile_with(config::LightEffect::none, config::SwingMode::linear), child);
  ASSERT_TRUE(reason);
  EXPECT_NE(reason->find("not among the profiles approved"), std::string::npos);
}

}  // namespace
}  // namespace sensoryd
