#pragma once

namespace latch::loadgen {

// Which round trips count: only those completing while the run measures. After Done the
// loops send nothing more and wait for their last answers.
enum class Phase : int { WarmUp, Measure, Done };

}  // namespace latch::loadgen
