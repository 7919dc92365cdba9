#include "core/common/Clock.h"

namespace portico {

const Clock &SystemClock::instance()
{
    static const SystemClock clock;
    return clock;
}

} // namespace portico
