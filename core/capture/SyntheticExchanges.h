#pragma once

#include "core/capture/Exchange.h"

class QRandomGenerator;

namespace portico::capture {

// Exchange number `i` of a made-up but plausible API traffic, for filling large capture databases
// in benchmarks (`portico-cli traffic generate`, bench_inspector): methods, statuses, 12 routes,
// 40 consumers, 5 upstreams, random trace ids, small JSON bodies, durations up to 0.4 s. The
// same generator state and `i` give the same exchange.
Exchange syntheticExchange(QRandomGenerator &rng, qint64 i, qint64 startedAtMs);

} // namespace portico::capture
