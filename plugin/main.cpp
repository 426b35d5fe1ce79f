#include <string>
#include <vector>

#include "plugin/app.h"

int main(int argc, char** argv) {
  return dct::plugin::run_app(std::vector<std::string>(argv, argv + argc));
}
