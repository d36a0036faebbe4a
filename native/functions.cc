// Module-level functions: name resolution and conversions.
#include "addon.h"

namespace bsdsock {

void InitFunctions(Napi::Env, Napi::Object) {}

}  // namespace bsdsock
