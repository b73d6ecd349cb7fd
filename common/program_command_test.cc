#include "common/program_command.h"

#include <gtest/gtest.h>

namespace foldstack::common {
namespace {

using Argv = std::vector<std::string>;

ProgramCommandInputs Inputs() {
  ProgramCommandInputs inputs;
  inputs.program = "/sweeps/train.py";
  inputs.params = nlohmann::json::parse(R"({"lr": 0.001, "epochs": 3, "optimizer": "adam", "amp": true})");
  inputs.args_json_file = "/work/job-1-a1/params.json";
  return inputs;
}

TEST(ProgramCommand, DefaultIsWandbsDefault) {
  auto argv = ExpandProgramCommand(Inputs());
  ASSERT_TRUE(argv.ok()) << argv.status();
  EXPECT_EQ(*argv, (Argv{"/usr/bin/env", "python", "/sweeps/train.py", "--amp=True", "--epochs=3", "--lr=0.001",
                         "--optimizer=adam"}));
}

TEST(ProgramCommand, EveryMacroExpands) {
  ProgramCommandInputs inputs = Inputs();
  inputs.interpreter = "python3";
  inputs.command = {"${env}", "${interpreter}", "-u", "${program}", "${args_no_hyphens}", "--cfg", "${args_json}",
                    "${args_json_file}", "x${program}"};
  auto argv = ExpandProgramCommand(inputs);
  ASSERT_TRUE(argv.ok()) << argv.status();
  EXPECT_EQ(*argv, (Argv{"/usr/bin/env", "python3", "-u", "/sweeps/train.py", "amp=True", "epochs=3", "lr=0.001",
                         "optimizer=adam", "--cfg",
                         R"({"amp": true, "epochs": 3, "lr": 0.001, "optimizer": "adam"})",
                         "/work/job-1-a1/params.json", "x${program}"}));
}

TEST(ProgramCommand, UnknownMacroIsRefused) {
  ProgramCommandInputs inputs = Inputs();
  inputs.command = {"${program}", "${argz}"};
  auto argv = ExpandProgramCommand(inputs);
  ASSERT_FALSE(argv.ok());
  EXPECT_NE(argv.status().message().find("unknown macro ${argz}"), std::string::npos) << argv.status();
  inputs.command = {"${args}"};
  inputs.params = nlohmann::json::object();
  EXPECT_FALSE(ExpandProgramCommand(inputs).ok());
}

// What Python's str() prints for each, as W&B passes values.
TEST(ProgramCommand, ValuesAreWrittenAsPythonsStr) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"0.001", "0.001"},      {"1e-05", "1e-05"},       {"0.0001", "0.0001"},
      {"100.0", "100.0"},      {"1e16", "1e+16"},         {"123456789012345.6", "123456789012345.6"},
      {"2.5e-07", "2.5e-07"},  {"-0.5", "-0.5"},          {"0.1", "0.1"},
      {"3", "3"},              {"true", "True"},          {"null", "None"},
      {"\"sgd\"", "sgd"},      {"[1, 2.0, \"a\"]", "[1, 2.0, 'a']"},
      {"{\"k\": [true]}", "{'k': [True]}"},              {"[\"it's\"]", "[\"it's\"]"},
  };
  for (const auto& [json, expected] : cases) EXPECT_EQ(PythonStr(nlohmann::json::parse(json)), expected) << json;
  EXPECT_EQ(ArgsJson(nlohmann::json::parse(R"({"a": 1e-05, "b": [1, {"c": "é"}]})")),
            R"({"a": 1e-05, "b": [1, {"c": "\u00e9"}]})");
}

}  // namespace
}  // namespace foldstack::common
