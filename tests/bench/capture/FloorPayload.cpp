#include "FloorPayload.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <random>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace portico::bench {

namespace {

int readyFd = -1; // the child's end of crashTest's pipe

void execOrExit(sqlite3 *db, const std::string &sql)
{
    char *error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), error ? error : "?");
        std::exit(1);
    }
}

// The first row of `sql` as text ("ok" for a clean integrity_check), or the error.
std::string firstText(sqlite3 *db, const std::string &sql)
{
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
        return std::string("error: ") + sqlite3_errmsg(db);
    std::string out;
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        for (int i = 0; i < sqlite3_column_count(s); ++i) {
            const unsigned char *t = sqlite3_column_text(s, i);
            if (i)
                out += ' ';
            out += t ? reinterpret_cast<const char *>(t) : "null";
        }
    } else if (rc != SQLITE_DONE) {
        out = std::string("error: ") + sqlite3_errmsg(db);
    }
    sqlite3_finalize(s);
    if (out.size() > 100)
        out = out.substr(0, 100) + "...";
    return out;
}

std::string integrity(const std::string &path)
{
    sqlite3 *db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        const std::string error = std::string("error: ") + sqlite3_errmsg(db);
        sqlite3_close(db);
        return error;
    }
    const std::string result = firstText(db, "PRAGMA integrity_check");
    sqlite3_close(db);
    return result;
}

// appendfile: every committed row's heads and body inside the file, its request head the one
// written for that id. Returns "<rows> rows, <bad> bad, <n> bytes past the last committed row".
std::string checkAppendFile(sqlite3 *db, const std::string &payloadPath)
{
    const int fd = ::open(payloadPath.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st
    {
    };
    if (fd < 0 || fstat(fd, &st) != 0)
        return "payload file missing";
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(db,
            "SELECT id, payload_offset, request_head_size, response_head_size, body_size FROM exchanges", -1,
            &s, nullptr)
        != SQLITE_OK) {
        ::close(fd);
        return std::string("error: ") + sqlite3_errmsg(db);
    }
    long long rows = 0;
    long long bad = 0;
    long long end = 0;
    std::string head;
    while (sqlite3_step(s) == SQLITE_ROW) {
        ++rows;
        const long long id = sqlite3_column_int64(s, 0);
        const long long offset = sqlite3_column_int64(s, 1);
        const long long requestSize = sqlite3_column_int64(s, 2);
        const long long total = requestSize + sqlite3_column_int64(s, 3) + sqlite3_column_int64(s, 4);
        end = std::max(end, offset + total);
        head.assign(size_t(requestSize), '\0');
        const std::string expected = "X-Request-Id: " + std::to_string(id) + "\n";
        if (offset + total > st.st_size || pread(fd, head.data(), head.size(), offset) != requestSize
            || head.find(expected) == std::string::npos)
            ++bad;
    }
    sqlite3_finalize(s);
    ::close(fd);
    return std::to_string(rows) + " rows, " + std::to_string(bad) + " bad, "
        + std::to_string(st.st_size - end) + " bytes past the last committed row";
}

} // namespace

IoCounters readIo()
{
    IoCounters io;
    FILE *f = std::fopen("/proc/self/io", "r");
    if (!f)
        return io;
    char key[64];
    long long value = 0;
    long long writeBytes = 0;
    long long cancelled = 0;
    while (std::fscanf(f, "%63[^:]: %lld\n", key, &value) == 2) {
        if (!std::strcmp(key, "wchar"))
            io.wchar = value;
        else if (!std::strcmp(key, "rchar"))
            io.rchar = value;
        else if (!std::strcmp(key, "syscw"))
            io.syscw = value;
        else if (!std::strcmp(key, "write_bytes"))
            writeBytes = value;
        else if (!std::strcmp(key, "cancelled_write_bytes"))
            cancelled = value;
    }
    std::fclose(f);
    io.storage = writeBytes - cancelled;
    return io;
}

void attachPayload(sqlite3 *db, const std::string &path, const std::string &journal, const std::string &sync)
{
    sqlite3_stmt *attach = nullptr;
    sqlite3_prepare_v2(db, "ATTACH ? AS payload", -1, &attach, nullptr);
    sqlite3_bind_text(attach, 1, path.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(attach) != SQLITE_DONE) {
        std::fprintf(stderr, "ATTACH %s: %s\n", path.c_str(), sqlite3_errmsg(db));
        std::exit(1);
    }
    sqlite3_finalize(attach);
    execOrExit(db, "PRAGMA payload.page_size=16384");
    execOrExit(db, "PRAGMA payload.journal_mode=" + journal);
    execOrExit(db, "PRAGMA payload.synchronous=" + sync);
    execOrExit(db, "PRAGMA payload.cache_size=-4096");
    execOrExit(
        db, "CREATE TABLE payload.heads (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)");
    execOrExit(
        db, "CREATE TABLE payload.bodies (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)");
}

AppendFile::~AppendFile()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

bool AppendFile::open(const std::string &path, bool sync)
{
    m_fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    m_sync = sync;
    struct stat st
    {
    };
    if (m_fd < 0 || fstat(m_fd, &st) != 0)
        return false;
    m_offset = st.st_size;
    return true;
}

long long AppendFile::append(const std::string &bytes)
{
    const long long at = m_offset + (long long)m_buffer.size();
    m_buffer += bytes;
    return at;
}

void AppendFile::flush()
{
    size_t done = 0;
    while (done < m_buffer.size()) {
        const ssize_t n = ::write(m_fd, m_buffer.data() + done, m_buffer.size() - done);
        if (n <= 0) {
            std::perror("payload write");
            std::exit(1);
        }
        done += size_t(n);
    }
    if (m_sync && fdatasync(m_fd) != 0) {
        std::perror("payload fdatasync");
        std::exit(1);
    }
    m_offset += (long long)m_buffer.size();
    m_buffer.clear();
}

void crashTestReady()
{
    if (readyFd < 0)
        return;
    (void)!::write(readyFd, "r", 1);
    ::close(readyFd);
    readyFd = -1;
}

int crashTest(const CrashSetup &setup, const std::function<int()> &bench)
{
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> delayMs(0, 1300);
    int corrupt = 0;
    int torn = 0;
    for (int k = 1; k <= setup.kills; ++k) {
        std::fflush(stdout);
        int ready[2];
        if (pipe(ready) != 0) {
            std::perror("pipe");
            return 1;
        }
        const pid_t child = fork();
        if (child < 0) {
            std::perror("fork");
            return 1;
        }
        if (child == 0) {
            ::close(ready[0]);
            readyFd = ready[1];
            const int null = ::open("/dev/null", O_WRONLY);
            dup2(null, STDOUT_FILENO);
            _exit(bench());
        }
        ::close(ready[1]);
        char byte = 0;
        if (::read(ready[0], &byte, 1) != 1) {
            std::fprintf(stderr, "the child ended before its first COMMIT\n");
            return 1;
        }
        ::close(ready[0]);
        const int delay = delayMs(rng);
        usleep(useconds_t(delay) * 1000);
        kill(child, SIGKILL);
        int status = 0;
        waitpid(child, &status, 0);
        if (!WIFSIGNALED(status)) {
            std::fprintf(stderr, "the child ended on its own before the kill (status %d)\n", status);
            return 1;
        }
        // Reopen like the next writer: hot journals rolled back, WALs recovered.
        const std::string mainCheck = integrity(setup.mainPath);
        std::string payloadCheck = "-";
        std::string agreement;
        sqlite3 *db = nullptr;
        sqlite3_open_v2(setup.mainPath.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
        if (setup.layout == "attached") {
            payloadCheck = integrity(setup.payloadPath);
            sqlite3_stmt *attach = nullptr;
            sqlite3_prepare_v2(db, "ATTACH ? AS payload", -1, &attach, nullptr);
            sqlite3_bind_text(attach, 1, setup.payloadPath.c_str(), -1, SQLITE_TRANSIENT);
            sqlite3_step(attach);
            sqlite3_finalize(attach);
            agreement = firstText(db,
                "SELECT (SELECT count(*) FROM exchanges), "
                "(SELECT count(*) FROM exchanges WHERE id NOT IN (SELECT exchange_id FROM payload.heads)), "
                "(SELECT count(*) FROM payload.heads WHERE exchange_id NOT IN (SELECT id FROM exchanges))");
        } else if (setup.layout == "appendfile") {
            agreement = checkAppendFile(db, setup.payloadPath);
        } else {
            agreement = firstText(db,
                "SELECT (SELECT count(*) FROM exchanges), "
                "(SELECT count(*) FROM exchanges WHERE id NOT IN (SELECT exchange_id FROM heads)), "
                "(SELECT count(*) FROM heads WHERE exchange_id NOT IN (SELECT id FROM exchanges))");
        }
        sqlite3_close(db);
        const bool bad = mainCheck != "ok" || (payloadCheck != "-" && payloadCheck != "ok");
        corrupt += bad ? 1 : 0;
        // "rows missing orphans": anything but "N 0 0" means a batch is torn between the files.
        long long rows = 0, missing = 0, orphans = 0;
        const bool counted = setup.layout != "appendfile"
            && std::sscanf(agreement.c_str(), "%lld %lld %lld", &rows, &missing, &orphans) == 3;
        const bool isTorn = counted
            ? (missing || orphans)
            : agreement.find(" 0 bad") == std::string::npos && setup.layout == "appendfile";
        torn += isTorn ? 1 : 0;
        std::printf("kill %d %d ms after the first COMMIT: main %s, payload %s; %s%s\n", k, delay,
            mainCheck.c_str(), payloadCheck.c_str(),
            setup.layout == "appendfile" ? "" : "exchanges, without payload, payload without exchange: ",
            agreement.c_str());
    }
    std::printf("%d of %d kills left a file failing integrity_check, %d left exchanges and payloads "
                "disagreeing\n",
        corrupt, setup.kills, torn);
    return corrupt ? 1 : 0;
}

} // namespace portico::bench
