#include "agent/handler_runner.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <variant>

#include <fmt/format.h>

namespace latch::agent {

namespace {

using Clock = std::chrono::steady_clock;

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

int millisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<std::int64_t>(0, left.count()));
}

// Spawns the handler with stdout/stderr on `outFd`; its pid, or an error text.
std::variant<pid_t, std::string> spawn(const std::string& program, std::vector<std::string> argv,
                                       std::vector<std::string> environment, int outFd,
                                       int readFd) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attributes);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, outFd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, outFd, STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, outFd);
  posix_spawn_file_actions_addclose(&actions, readFd);
  // Its own process group (killed as one at the timeout), default signal handling, no
  // blocked signals inherited from the agent's threads.
  sigset_t none;
  sigset_t all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &all);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  argv.insert(argv.begin(), program);
  auto args = pointers(argv);
  auto env = pointers(environment);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, &attributes, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (rc != 0) return fmt::format("cannot run {}: {}", program, std::strerror(rc));
  return pid;
}

}  // namespace

HandlerRun runHandler(const std::string& program, const std::vector<std::string>& arguments,
                      const std::vector<std::string>& environment, const HandlerLimits& limits) {
  HandlerRun run;
  const auto started = Clock::now();
  const auto deadline = started + limits.timeout;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    run.error = fmt::format("cannot create a pipe: {}", std::strerror(errno));
    return run;
  }
  auto spawned = spawn(program, arguments, environment, fds[1], fds[0]);
  ::close(fds[1]);
  if (auto* error = std::get_if<std::string>(&spawned)) {
    ::close(fds[0]);
    run.error = std::move(*error);
    return run;
  }
  const pid_t pid = std::get<pid_t>(spawned);

  bool timedOut = false;
  char buffer[4096];
  for (;;) {
    pollfd pfd{fds[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, millisLeft(deadline));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      timedOut = true;
      break;
    }
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // every writer closed its end: usually the handler has exited
    const auto room = limits.maxOutputBytes - std::min(limits.maxOutputBytes, run.output.size());
    run.output.append(buffer, std::min<std::size_t>(room, static_cast<std::size_t>(n)));
    if (static_cast<std::size_t>(n) > room) run.truncated = true;
  }
  ::close(fds[0]);

  // Wait for the handler to exit without reaping it (WNOWAIT): until it is reaped its pid,
  // and so its process group id, cannot be reused, so the group kill below can only hit
  // what the handler left behind.
  while (!timedOut) {
    siginfo_t info{};
    const int rc = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    if (rc == 0 && info.si_pid == pid) break;
    if (rc < 0 && errno != EINTR) break;
    if (millisLeft(deadline) == 0) {
      timedOut = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
  if (timedOut) {
    run.end = HandlerRun::End::TimedOut;
  } else if (WIFEXITED(status)) {
    run.end = HandlerRun::End::Exited;
    run.exitCode = WEXITSTATUS(status);
  } else {
    run.end = HandlerRun::End::Signaled;
  }
  return run;
}

}  // namespace latch::agent
