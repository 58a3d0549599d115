// The test SMTP server (tests/smtp_server.py, Debian's python3-aiosmtpd) as a child process
// of a test, for the SMTP transport's tests and the application's e-mail tests. Define
// PASIP_SMTP_SERVER_SCRIPT (the script's path) in the test target. Not thread-safe: one test
// thread owns a server.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace pasip::testing {

// The test SMTP server (tests/smtp_server.py) as a child process, stopped on destruction.
class SmtpServer {
 public:
  // Starts the server on `port` (0: any free port), storing messages in `dir`. Returns
  // null, with the reason in `*why`, when it did not come up.
  static std::unique_ptr<SmtpServer> Start(std::uint16_t port, const std::filesystem::path& dir,
                                           const std::vector<std::string>& extra, std::string* why,
                                           const std::string& script = PASIP_SMTP_SERVER_SCRIPT) {
    std::vector<std::string> args = {"/usr/bin/python3",   script,  "--port",
                                     std::to_string(port), "--dir", dir.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) {
      *why = "pipe";
      return nullptr;
    }
    const pid_t pid = fork();
    if (pid < 0) {
      *why = "fork";
      return nullptr;
    }
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive a crashed test
      dup2(out[1], STDOUT_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(out[1]);
    std::unique_ptr<SmtpServer> server(new SmtpServer(pid, out[0]));
    // The first line is the port, printed once the server accepts connections.
    std::string line;
    pollfd p{out[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos) {
      if (poll(&p, 1, 20'000) <= 0) {
        *why = "le serveur SMTP de test n'a pas démarré en 20 s";
        return nullptr;
      }
      char buffer[64];
      const ssize_t n = read(out[0], buffer, sizeof buffer);
      if (n <= 0) {
        *why = "le serveur SMTP de test s'est arrêté au démarrage (port pris ?)";
        return nullptr;
      }
      line.append(buffer, static_cast<std::size_t>(n));
    }
    server->port_ = static_cast<std::uint16_t>(std::stoi(line));
    return server;
  }

  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;
  ~SmtpServer() { Stop(); }

  std::uint16_t port() const { return port_; }

  // SIGTERM, then SIGKILL if it has not exited within 10 s.
  void Stop() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      for (int i = 0; i < 200 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
      pid_ = -1;
    }
    if (out_ >= 0) {
      close(out_);
      out_ = -1;
    }
  }

 private:
  SmtpServer(pid_t pid, int out) : pid_(pid), out_(out) {}
  pid_t pid_;
  int out_;
  std::uint16_t port_ = 0;
};

inline bool AiosmtpdAvailable() {
  return std::system("/usr/bin/python3 -c 'import aiosmtpd' >/dev/null 2>&1") == 0;
}

}  // namespace pasip::testing
