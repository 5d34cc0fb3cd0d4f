// Moved to the public headers; kept so that the tree includes it by its old path.
#include "dlc/tensor.h"  // IWYU pragma: export
