// bench_connect_load: intercepted-HTTPS load through a forward proxy (Portico's proxy.listen,
// mitmproxy), for tests/bench/proxy.sh. Each of --connections threads opens a TCP connection to
// the proxy, sends CONNECT host:port, does TLS inside the tunnel (the proxy's leaf is not
// verified: this measures throughput, not trust) and sends keep-alive GETs one after another
// until --seconds have passed, reading each response whole (Content-Length). Prints one line:
//   requests=N seconds=S rps=R p50_ms=A p99_ms=B errors=E
// Plain POSIX sockets and OpenSSL, one blocking thread per connection: simple enough that the
// generator is never what is measured (it needs a fraction of what a proxy does per request).
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

struct Options
{
    std::string proxyHost = "127.0.0.1";
    int proxyPort = 8888;
    std::string target = "localhost:8443"; // CONNECT host:port, also the SNI and Host
    std::string path = "/";
    int connections = 16;
    double seconds = 10;
};

using Clock = std::chrono::steady_clock;

int connectTcp(const Options &o)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a {};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(o.proxyPort));
    ::inet_pton(AF_INET, o.proxyHost.c_str(), &a.sin_addr);
    if (::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) != 0) {
        ::close(fd);
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

// Reads the CONNECT answer's head byte by byte (it is short, and nothing may be read past it).
bool tunnel(int fd, const Options &o)
{
    const std::string req = "CONNECT " + o.target + " HTTP/1.1\r\nHost: " + o.target + "\r\n\r\n";
    if (::send(fd, req.data(), req.size(), 0) != ssize_t(req.size()))
        return false;
    std::string head;
    char c;
    while (head.size() < 4096 && ::recv(fd, &c, 1, 0) == 1) {
        head += c;
        if (head.size() >= 4 && head.compare(head.size() - 4, 4, "\r\n\r\n") == 0)
            return head.compare(9, 3, "200") == 0;
    }
    return false;
}

// One response: the head, then Content-Length bytes of body.
bool readResponse(SSL *ssl, std::string &buffer)
{
    buffer.clear();
    char chunk[16384];
    size_t headEnd = std::string::npos;
    long length = -1;
    for (;;) {
        if (headEnd == std::string::npos) {
            headEnd = buffer.find("\r\n\r\n");
            if (headEnd != std::string::npos) {
                std::string lower = buffer.substr(0, headEnd);
                std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
                const size_t cl = lower.find("content-length:");
                if (cl == std::string::npos)
                    return false;
                length = std::strtol(lower.c_str() + cl + 15, nullptr, 10);
            }
        }
        if (headEnd != std::string::npos && buffer.size() >= headEnd + 4 + size_t(length))
            return buffer.compare(9, 3, "200") == 0;
        const int n = SSL_read(ssl, chunk, sizeof(chunk));
        if (n <= 0)
            return false;
        buffer.append(chunk, size_t(n));
    }
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const std::string v = argv[i + 1];
        if (k == "--proxy") {
            const size_t colon = v.rfind(':');
            o.proxyHost = v.substr(0, colon);
            o.proxyPort = std::atoi(v.c_str() + colon + 1);
        } else if (k == "--target") {
            o.target = v;
        } else if (k == "--path") {
            o.path = v;
        } else if (k == "--connections") {
            o.connections = std::atoi(v.c_str());
        } else if (k == "--seconds") {
            o.seconds = std::atof(v.c_str());
        } else {
            std::fprintf(stderr,
                "usage: bench_connect_load --proxy HOST:PORT --target HOST:PORT [--path /] "
                "[--connections 16] [--seconds 10]\n");
            return 2;
        }
    }
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    const std::string host = o.target.substr(0, o.target.rfind(':'));
    const std::string request
        = "GET " + o.path + " HTTP/1.1\r\nHost: " + o.target + "\r\nUser-Agent: bench_connect_load\r\n\r\n";
    const auto end = Clock::now()
        + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
    std::atomic<long> errors { 0 };
    std::mutex mutex;
    std::vector<double> latencies;
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int t = 0; t < o.connections; ++t) {
        threads.emplace_back([&] {
            std::vector<double> mine;
            std::string buffer;
            while (Clock::now() < end) {
                const int fd = connectTcp(o);
                if (fd < 0 || !tunnel(fd, o)) {
                    ++errors;
                    if (fd >= 0)
                        ::close(fd);
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    continue;
                }
                SSL *ssl = SSL_new(ctx);
                SSL_set_fd(ssl, fd);
                SSL_set_tlsext_host_name(ssl, host.c_str());
                if (SSL_connect(ssl) != 1) {
                    ++errors;
                    SSL_free(ssl);
                    ::close(fd);
                    continue;
                }
                while (Clock::now() < end) {
                    const auto t0 = Clock::now();
                    if (SSL_write(ssl, request.data(), int(request.size())) != int(request.size())
                        || !readResponse(ssl, buffer)) {
                        ++errors;
                        break;
                    }
                    mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
                }
                SSL_shutdown(ssl);
                SSL_free(ssl);
                ::close(fd);
            }
            std::lock_guard lock(mutex);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto &t : threads)
        t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::sort(latencies.begin(), latencies.end());
    const auto pct = [&](double p) {
        return latencies.empty() ? 0.0 : latencies[size_t(p * double(latencies.size() - 1))];
    };
    std::printf("requests=%zu seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f errors=%ld\n", latencies.size(),
        elapsed, double(latencies.size()) / elapsed, pct(0.5), pct(0.99), errors.load());
    SSL_CTX_free(ctx);
    return 0;
}
