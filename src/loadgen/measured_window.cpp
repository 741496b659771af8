#include "loadgen/measured_window.hpp"

#include <thread>

#include "loadgen/process_stats.hpp"

namespace latch::loadgen {
namespace {

using Clock = std::chrono::steady_clock;

// How often the end of the run checks whether every invocation has been answered.
constexpr std::chrono::milliseconds kDrainPoll{10};

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

LoadResult<std::uint64_t> serverCpu(const RunOptions& o) {
  if (!o.serverPid) return std::uint64_t{0};
  return cpuMicros(*o.serverPid);
}

}  // namespace

LoadResult<Window> measureWindow(const RunOptions& o, std::chrono::milliseconds drainFor,
                                 std::atomic<Phase>& phase,
                                 const std::atomic<std::int64_t>& outstanding,
                                 const std::function<void()>& stopSending) {
  Window window;
  std::this_thread::sleep_for(seconds(o.warmUpSeconds));
  auto cpuStart = serverCpu(o);
  const auto clientCpuStart = selfCpuMicros();
  const auto start = Clock::now();
  phase.store(Phase::Measure);
  std::this_thread::sleep_until(start + seconds(o.durationSeconds));
  window.clientThreads = selfThreadCount();
  phase.store(Phase::Done);
  const auto end = Clock::now();
  auto cpuEnd = serverCpu(o);
  window.clientCpuMicros = selfCpuMicros() - clientCpuStart;
  window.measuredSeconds = std::chrono::duration<double>(end - start).count();
  if (stopSending) stopSending();
  const auto drainDeadline = end + drainFor;
  while (outstanding.load() > 0 && Clock::now() < drainDeadline) {
    std::this_thread::sleep_for(kDrainPoll);
  }
  window.unanswered = outstanding.load();
  if (!cpuStart) return cpuStart.error();
  if (!cpuEnd) return cpuEnd.error();
  if (o.serverPid) window.serverCpuMicros = *cpuEnd - *cpuStart;
  return window;
}

}  // namespace latch::loadgen
