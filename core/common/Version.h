#pragma once

namespace portico {
inline constexpr const char *kVersion = PORTICO_VERSION;
}
