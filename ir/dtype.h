// Moved to the public headers; kept so that the tree includes it by its old path.
#include "dlc/dtype.h"  // IWYU pragma: export
