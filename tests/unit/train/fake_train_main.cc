// dlc_train_fake: `dlc train`'s command line and loop over the fake model of
// fake_model.h, so that the kill-and-resume test (tests/lit/train/Inputs/
// kill_resume.py) runs without the compiler: `dlc_train_fake train CONFIG ...`.
#include <iostream>

#include "CLI/CLI.hpp"
#include "tests/unit/train/fake_model.h"
#include "tools/dlc/trainer.h"
#include "tools/dlc/validators.h"

int main(int argc, char** argv) {
  CLI::App app("dlc_train_fake: dlc train over a fake model", "dlc_train_fake");
  app.require_subcommand(1);
  dlc::tool::TrainFlags flags;
  CLI::App* cmd = app.add_subcommand("train", "train the fake model");
  dlc::tool::addTrainFlags(*cmd, flags);
  if (std::optional<int> status = dlc::tool::parseCommandLine(app, argc, argv)) return *status;
  return dlc::tool::runTrain(flags, dlc::tool::testing::loadFakeModel, std::cout);
}
