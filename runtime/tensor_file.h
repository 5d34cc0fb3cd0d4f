// Moved to the public headers; kept so that the tree includes it by its old path.
#include "dlc/tensor_file.h"  // IWYU pragma: export
