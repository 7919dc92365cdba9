// The floor under the capture writer: what SQLite alone needs to store one exchange of run.sh's
// shape (33-column row, the indexes of schema version 3, heads and a 1 KiB body) with the writer's
// settings (16 KiB pages, WAL, synchronous=NORMAL, 4 MiB cache, prepared statements, one
// transaction per batch), checkpoints included, with no Qt and no queue in the way. Compare its
// "us CPU per row" with bench_capture_writer's writer + checkpoint figures.
//
//   bench_sqlite_floor [--rows N] [--batch N] [--db FILE] [--body json|x|none] [--zstd LEVEL]
//                      [--head-dict] [--layout split|v2|payload|noindex|batch|attached|appendfile]
//                      [--payload FILE] [--payload-journal MODE] [--payload-sync off|normal|full]
//                      [--main-journal wal|delete] [--retain N] [--secure-delete on|off|fast]
//                      [--crash-test KILLS]
//     split    exchanges + heads + bodies rows (Portico's schema)
//     v2       as split, with schema version 2's indexes (started_at, consumer for every row)
//     payload  exchanges + one row with heads and bodies
//     noindex  as payload, without the secondary indexes
//     batch    exchanges + one row per batch holding every head and body of the batch, compressed
//              as one zstd frame (--zstd, default 1): what cross-exchange compression could give
//     attached as split, with heads and bodies in a second database (--payload, default
//              FILE.payload) ATTACHed to the WAL one and written in the same transaction, with
//              its own --payload-journal (wal|delete|truncate|persist|memory|off, default
//              delete: pages appended past the old end of a rollback-journal file are not
//              journaled, so they are written once) and --payload-sync (default normal)
//     appendfile  heads and bodies appended to a plain file (--payload), one write() per batch
//              before COMMIT, the exchanges row holding their offset and sizes; --payload-sync
//              normal|full adds an fdatasync() per batch
//   --body     json: a different ~1.1 KiB JSON document per row (VariedJson.h, the default);
//              x: 1 KiB of 'x' (the old figure); none: no body (what storing a repeated body
//              once would leave per row)
//   --zstd L   compress each head and body blob with zstd level L in the loop (its CPU counted)
//   --head-dict  heads compressed against a raw-content dictionary of common header lines
//   --main-journal delete  the main file in rollback-journal mode too: with attached, the only
//              setting where SQLite commits both files atomically (a super-journal; not with
//              --payload-sync off); readers then block the writer's COMMIT
//   --retain N  after each batch delete what is older than the newest N rows (its own transaction,
//              like the writer's pruning): the steady state, where new pages come from the freelist
//              (appendfile: only the exchanges rows; a real payload file would drop whole segments)
//   --secure-delete  PRAGMA secure_delete for every file (default: the library's; Debian's SQLite
//              is built with it on, so every page --retain frees is overwritten with zeros)
//   --crash-test K  run the bench K times in a child killed with SIGKILL mid-run, then reopen and
//              integrity_check every file and compare exchanges with payloads (FloorPayload.h;
//              split, v2, attached and appendfile)
// A second line gives the CPU with the last checkpoint too (the WAL left since the last
// autocheckpoint copied, so every layout pays for all it wrote), user and system time, and from
// /proc/self/io per row: bytes handed to write()/pwrite(), write calls, bytes that dirtied
// page-cache pages bound for the disk and bytes read back.
#include "FloorPayload.h"
#include "VariedJson.h"

#include <sqlite3.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <glob.h>
#include <random>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace {

double threadCpuSeconds()
{
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

// This thread's user and system (kernel: the copies into the page cache, fsync) CPU seconds.
void threadUserSystem(double &user, double &system)
{
    rusage u {};
    getrusage(RUSAGE_THREAD, &u);
    user = double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) / 1e6;
    system = double(u.ru_stime.tv_sec) + double(u.ru_stime.tv_usec) / 1e6;
}

double wallSeconds()
{
    timespec t {};
    clock_gettime(CLOCK_MONOTONIC, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

void exec(sqlite3 *db, const std::string &sql)
{
    char *error = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), error ? error : "?");
        std::exit(1);
    }
}

sqlite3_stmt *prepare(sqlite3 *db, const std::string &sql)
{
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr) != SQLITE_OK) {
        std::fprintf(stderr, "%s: %s\n", sql.c_str(), sqlite3_errmsg(db));
        std::exit(1);
    }
    return s;
}

void step(sqlite3 *db, sqlite3_stmt *s)
{
    if (sqlite3_step(s) != SQLITE_DONE) {
        std::fprintf(stderr, "step: %s\n", sqlite3_errmsg(db));
        std::exit(1);
    }
    sqlite3_reset(s);
}

struct Options
{
    long rows = 200000;
    int batch = 500;
    std::string layout = "split";
    std::string path = "/tmp/portico-sqlite-floor.db";
    std::string payloadPath;
    std::string payloadJournal = "delete";
    std::string mainJournal = "wal";
    std::string payloadSync = "normal";
    std::string bodyKind = "json";
    int level = 0;
    bool compress = false;
    bool headDict = false;
    int crashKills = 0;
    long retain = 0;
    std::string secureDelete; // empty: the library's default (Debian builds SQLite with it on)
};

void removeFiles(const Options &o)
{
    for (const char *suffix : { "", "-wal", "-shm", "-journal" }) {
        unlink((o.path + suffix).c_str());
        unlink((o.payloadPath + suffix).c_str());
    }
    // Super-journals a kill left behind (--main-journal delete): SQLite does not always remove them.
    glob_t found {};
    if (glob((o.path + "-mj*").c_str(), 0, nullptr, &found) == 0) {
        for (size_t i = 0; i < found.gl_pathc; ++i)
            unlink(found.gl_pathv[i]);
    }
    globfree(&found);
}

int run(const Options &o)
{
    const long rows = o.rows;
    const int batch = o.batch;
    const std::string &layout = o.layout;
    const std::string &path = o.path;
    const std::string &bodyKind = o.bodyKind;
    const int level = o.level;
    const bool compress = o.compress;
    const bool headDict = o.headDict;
    removeFiles(o);
    sqlite3 *db = nullptr;
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        return 1;
    }
    exec(db, "PRAGMA page_size=16384");
    exec(db, "PRAGMA journal_mode=" + o.mainJournal);
    exec(db, "PRAGMA synchronous=NORMAL");
    exec(db, "PRAGMA cache_size=-4096");
    if (!o.secureDelete.empty())
        exec(db, "PRAGMA secure_delete=" + o.secureDelete); // before ATTACH: the payload file inherits it
    const bool appendFile = layout == "appendfile";
    exec(db,
        std::string(
            "CREATE TABLE exchanges (id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, client_address "
            "TEXT, "
            "method TEXT, url TEXT, scheme TEXT, host TEXT, path TEXT, query TEXT, status INTEGER, route "
            "TEXT, "
            "consumer TEXT, upstream TEXT, upstream_target TEXT, api_version TEXT, trace_id TEXT, span_id "
            "TEXT, "
            "parent_span_id TEXT, parent_id INTEGER, retries INTEGER, error TEXT, request_bytes INTEGER, "
            "response_bytes INTEGER, request_body_size INTEGER, response_body_size INTEGER, "
            "request_truncated "
            "INTEGER, response_truncated INTEGER, bodies_dropped INTEGER, received_us INTEGER, "
            "upstream_connect_us INTEGER, first_byte_us INTEGER, duration_us INTEGER, notes TEXT")
            + (appendFile
                    ? ", payload_offset INTEGER, request_head_size INTEGER, response_head_size INTEGER, "
                      "body_size INTEGER)"
                    : ")"));
    exec(db, "CREATE TABLE heads (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)");
    exec(db, "CREATE TABLE bodies (exchange_id INTEGER PRIMARY KEY, request BLOB, response BLOB)");
    exec(db,
        "CREATE TABLE payloads (exchange_id INTEGER PRIMARY KEY, request_head BLOB, response_head BLOB, "
        "request_body BLOB, response_body BLOB)");
    exec(db, "CREATE TABLE batches (first_id INTEGER PRIMARY KEY, last_id INTEGER, data BLOB)");
    if (layout != "noindex") {
        exec(db, "CREATE INDEX exchanges_status ON exchanges(status, id)");
        exec(db, "CREATE INDEX exchanges_route ON exchanges(route, id)");
        if (layout == "v2") {
            exec(db, "CREATE INDEX exchanges_started_at ON exchanges(started_at)");
            exec(db, "CREATE INDEX exchanges_consumer ON exchanges(consumer, id)");
        } else {
            exec(db, "CREATE INDEX exchanges_consumer ON exchanges(consumer, id) WHERE consumer <> ''");
        }
        exec(db, "CREATE INDEX exchanges_parent ON exchanges(parent_id) WHERE parent_id <> 0");
    }
    const bool attached = layout == "attached";
    if (attached)
        portico::bench::attachPayload(db, o.payloadPath, o.payloadJournal, o.payloadSync);
    portico::bench::AppendFile payloadFile;
    if (appendFile && !payloadFile.open(o.payloadPath, o.payloadSync != "off")) {
        std::fprintf(stderr, "cannot open %s\n", o.payloadPath.c_str());
        return 1;
    }
    // In-thread checkpoints every ~64 MiB of WAL: their cost is part of the floor.
    sqlite3_wal_autocheckpoint(db, 4096);

    std::string columns = "?";
    for (int i = 1; i < (appendFile ? 37 : 33); ++i)
        columns += ",?";
    sqlite3_stmt *insertExchange = prepare(db, "INSERT INTO exchanges VALUES (" + columns + ")");
    const std::string payloadSchema = attached ? "payload." : "";
    sqlite3_stmt *insertHead = prepare(db, "INSERT INTO " + payloadSchema + "heads VALUES (?,?,?)");
    sqlite3_stmt *insertBody = prepare(db, "INSERT INTO " + payloadSchema + "bodies VALUES (?,?,?)");
    sqlite3_stmt *insertPayload = prepare(db, "INSERT INTO payloads VALUES (?,?,?,?,?)");
    sqlite3_stmt *insertBatch = prepare(db, "INSERT INTO batches VALUES (?,?,?)");
    sqlite3_stmt *begin = prepare(db, "BEGIN");
    sqlite3_stmt *commit = prepare(db, "COMMIT");
    // --retain N: after every batch, the rows older than the newest N go in their own transaction
    // (as CaptureBatchWriter::prune does), so new pages come from the freelist.
    std::vector<sqlite3_stmt *> prune;
    if (o.retain > 0) {
        if (layout == "split" || layout == "v2" || attached) {
            prune.push_back(prepare(db, "DELETE FROM " + payloadSchema + "heads WHERE exchange_id <= ?"));
            prune.push_back(prepare(db, "DELETE FROM " + payloadSchema + "bodies WHERE exchange_id <= ?"));
        } else if (layout == "batch") {
            prune.push_back(prepare(db, "DELETE FROM batches WHERE last_id <= ?"));
        } else if (!appendFile) {
            prune.push_back(prepare(db, "DELETE FROM payloads WHERE exchange_id <= ?"));
        }
        prune.push_back(prepare(db, "DELETE FROM exchanges WHERE id <= ?"));
    }

    // bench_capture_writer's heads (as stored: Authorization redacted), ids varying per row.
    std::vector<std::string> bodies;
    for (int i = 0; i < 4096; ++i)
        bodies.push_back(bodyKind == "json" ? portico::bench::variedJson(std::uint64_t(i))
                : bodyKind == "x"           ? std::string(1024, 'x')
                                            : std::string());
    auto requestHeadOf = [](long id) {
        return "\nHost: 127.0.0.1:18084\nUser-Agent: wrk/4.2.0\nAccept: */*\nAccept-Encoding: gzip, deflate\n"
               "Accept-Language: en-US,en;q=0.9\nConnection: keep-alive\nCache-Control: "
               "no-cache\nX-Request-Id: "
            + std::to_string(id)
            + "\nX-Forwarded-For: 127.0.0.1\nX-Forwarded-Proto: http\ntraceparent: "
              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\nAuthorization: [redacted]\n";
    };
    auto responseHeadOf = [&](long id) {
        return "\nServer: nginx/1.22.1\nDate: Sat, 28 Nov 2026 07:00:00 GMT\nContent-Type: application/json\n"
               "Content-Length: "
            + std::to_string(bodies[size_t(id) % bodies.size()].size())
            + "\nConnection: keep-alive\nX-Request-Id: " + std::to_string(id) + "\n";
    };
    const std::string dictionary = requestHeadOf(0) + responseHeadOf(0);
    ZSTD_CCtx *cctx = ZSTD_createCCtx();
    ZSTD_CDict *headCDict
        = headDict ? ZSTD_createCDict(dictionary.data(), dictionary.size(), level) : nullptr;
    std::string packed[4];
    std::string batchData;
    std::string batchPacked;
    long batchFirst = 1;
    size_t storedBytes = 0;
    size_t rawBytes = 0;
    auto pack = [&](std::string &out, const std::string &in, bool head) -> const std::string & {
        rawBytes += in.size();
        if (!compress || in.empty()) {
            storedBytes += in.size();
            return in;
        }
        out.resize(ZSTD_compressBound(in.size()));
        const size_t n = head && headCDict
            ? ZSTD_compress_usingCDict(cctx, out.data(), out.size(), in.data(), in.size(), headCDict)
            : ZSTD_compressCCtx(cctx, out.data(), out.size(), in.data(), in.size(), level);
        out.resize(n);
        storedBytes += n;
        return out;
    };
    std::mt19937_64 rng(42);
    char trace[33];
    char span[17];

    const portico::bench::IoCounters io0 = portico::bench::readIo();
    double user0 = 0;
    double system0 = 0;
    threadUserSystem(user0, system0);
    const double cpu0 = threadCpuSeconds();
    const double wall0 = wallSeconds();
    for (long id = 1; id <= rows; ++id) {
        if ((id - 1) % batch == 0)
            step(db, begin);
        std::snprintf(
            trace, sizeof trace, "%016llx%016llx", (unsigned long long)rng(), (unsigned long long)rng());
        std::snprintf(span, sizeof span, "%016llx", (unsigned long long)rng());
        int c = 1;
        auto text = [&](const char *s) { sqlite3_bind_text(insertExchange, c++, s, -1, SQLITE_STATIC); };
        sqlite3_bind_int64(insertExchange, c++, id);
        sqlite3_bind_int64(insertExchange, c++, 1764000000000LL + id / 40);
        for (const char *s :
            { "127.0.0.1", "GET", "http://127.0.0.1:28084/", "http", "127.0.0.1:28084", "/", "" })
            text(s);
        sqlite3_bind_int(insertExchange, c++, 200);
        for (const char *s : { "all", "", "up", "http://127.0.0.1:28081", "" })
            text(s);
        text(trace);
        text(span);
        text("");
        sqlite3_bind_int64(insertExchange, c++, 0);
        sqlite3_bind_int(insertExchange, c++, 0);
        text("");
        for (long long v : { 60LL, 1200LL, 0LL, 1024LL, 0LL, 0LL, 0LL, 100LL, 150LL, 200LL, 250LL })
            sqlite3_bind_int64(insertExchange, c++, v);
        text("");
        const std::string requestHeadRaw = requestHeadOf(id);
        const std::string responseHeadRaw = responseHeadOf(id);
        const std::string &bodyRaw = bodies[size_t(id) % bodies.size()];
        if (appendFile) {
            rawBytes += requestHeadRaw.size() + responseHeadRaw.size() + bodyRaw.size();
            storedBytes += requestHeadRaw.size() + responseHeadRaw.size() + bodyRaw.size();
            sqlite3_bind_int64(insertExchange, c++, payloadFile.append(requestHeadRaw));
            payloadFile.append(responseHeadRaw);
            payloadFile.append(bodyRaw);
            for (size_t n : { requestHeadRaw.size(), responseHeadRaw.size(), bodyRaw.size() })
                sqlite3_bind_int64(insertExchange, c++, (long long)n);
        }
        step(db, insertExchange);
        if (appendFile) {
            // Offset and sizes went into the exchanges row; the bytes go out with the batch.
        } else if (layout == "batch") {
            batchData += requestHeadRaw;
            batchData += responseHeadRaw;
            batchData += bodyRaw;
            if (id % batch == 0 || id == rows) {
                rawBytes += batchData.size();
                batchPacked.resize(ZSTD_compressBound(batchData.size()));
                batchPacked.resize(ZSTD_compressCCtx(
                    cctx, batchPacked.data(), batchPacked.size(), batchData.data(), batchData.size(), level));
                storedBytes += batchPacked.size();
                sqlite3_bind_int64(insertBatch, 1, batchFirst);
                sqlite3_bind_int64(insertBatch, 2, id);
                sqlite3_bind_blob(insertBatch, 3, batchPacked.data(), int(batchPacked.size()), SQLITE_STATIC);
                step(db, insertBatch);
                batchData.clear();
                batchFirst = id + 1;
            }
        } else if (layout == "split" || layout == "v2" || attached) {
            const std::string &requestHead = pack(packed[0], requestHeadRaw, true);
            const std::string &responseHead = pack(packed[1], responseHeadRaw, true);
            const std::string &body = pack(packed[3], bodyRaw, false);
            sqlite3_bind_int64(insertHead, 1, id);
            sqlite3_bind_blob(insertHead, 2, requestHead.data(), int(requestHead.size()), SQLITE_STATIC);
            sqlite3_bind_blob(insertHead, 3, responseHead.data(), int(responseHead.size()), SQLITE_STATIC);
            step(db, insertHead);
            if (!body.empty()) {
                sqlite3_bind_int64(insertBody, 1, id);
                sqlite3_bind_blob(insertBody, 2, "", 0, SQLITE_STATIC);
                sqlite3_bind_blob(insertBody, 3, body.data(), int(body.size()), SQLITE_STATIC);
                step(db, insertBody);
            }
        } else {
            const std::string &requestHead = pack(packed[0], requestHeadRaw, true);
            const std::string &responseHead = pack(packed[1], responseHeadRaw, true);
            const std::string &body = pack(packed[3], bodyRaw, false);
            sqlite3_bind_int64(insertPayload, 1, id);
            sqlite3_bind_blob(insertPayload, 2, requestHead.data(), int(requestHead.size()), SQLITE_STATIC);
            sqlite3_bind_blob(insertPayload, 3, responseHead.data(), int(responseHead.size()), SQLITE_STATIC);
            sqlite3_bind_blob(insertPayload, 4, "", 0, SQLITE_STATIC);
            sqlite3_bind_blob(insertPayload, 5, body.data(), int(body.size()), SQLITE_STATIC);
            step(db, insertPayload);
        }
        if (id % batch == 0 || id == rows) {
            if (appendFile)
                payloadFile.flush();
            step(db, commit);
            if (id == batch)
                portico::bench::crashTestReady();
            if (!prune.empty() && id > o.retain) {
                step(db, begin);
                for (sqlite3_stmt *s : prune) {
                    sqlite3_bind_int64(s, 1, id - o.retain);
                    step(db, s);
                }
                step(db, commit);
            }
        }
    }
    const double cpu = threadCpuSeconds() - cpu0;
    const double wall = wallSeconds() - wall0;
    // The WAL left since the last autocheckpoint has not been copied yet; a layout that writes
    // less through the WAL would look better than it is without this last checkpoint.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    const double cpuSettled = threadCpuSeconds() - cpu0;
    const portico::bench::IoCounters io1 = portico::bench::readIo();
    double user1 = 0;
    double system1 = 0;
    threadUserSystem(user1, system1);
    std::printf(
        "layout %s%s%s, body %s, %s, %ld rows in batches of %d: %.2f us CPU per row (checkpoints and "
        "compression included), %.2f us wall, %.0f rows per CPU-second; heads+bodies %.0f -> %.0f bytes "
        "per row\n",
        layout.c_str(),
        attached ? (" (payload journal " + o.payloadJournal + ", synchronous " + o.payloadSync
            + (o.mainJournal == "wal" ? ")" : "; main journal " + o.mainJournal + ")"))
                       .c_str()
            : appendFile ? (o.payloadSync == "off" ? " (no fdatasync)" : " (fdatasync per batch)")
                         : "",
        (o.retain ? ", keeping the newest " + std::to_string(o.retain) : std::string())
            .append(o.secureDelete.empty() ? "" : ", secure_delete " + o.secureDelete)
            .c_str(),
        bodyKind.c_str(),
        compress
            ? (std::string("zstd ") + std::to_string(level) + (headDict ? " (head dictionary)" : "")).c_str()
            : "raw",
        rows, batch, cpu * 1e6 / double(rows), wall * 1e6 / double(rows), double(rows) / cpu,
        double(rawBytes) / double(rows), double(storedBytes) / double(rows));
    std::printf(
        "  with the last checkpoint: %.2f us CPU per row (%.2f user, %.2f system); per row %.0f bytes "
        "to write()/pwrite() in %.2f calls, %.0f bytes of dirtied pages bound for the disk, %.0f bytes "
        "read\n",
        cpuSettled * 1e6 / double(rows), (user1 - user0) * 1e6 / double(rows),
        (system1 - system0) * 1e6 / double(rows), double(io1.wchar - io0.wchar) / double(rows),
        double(io1.syscw - io0.syscw) / double(rows), double(io1.storage - io0.storage) / double(rows),
        double(io1.rchar - io0.rchar) / double(rows));
    for (sqlite3_stmt *s :
        { insertExchange, insertHead, insertBody, insertPayload, insertBatch, begin, commit })
        sqlite3_finalize(s);
    for (sqlite3_stmt *s : prune)
        sqlite3_finalize(s);
    ZSTD_freeCDict(headCDict);
    ZSTD_freeCCtx(cctx);
    sqlite3_close(db);
    removeFiles(o);
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    Options o;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--head-dict"))
            o.headDict = true;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--head-dict")) {
            --i;
            continue;
        }
        if (!std::strcmp(argv[i], "--rows"))
            o.rows = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--batch"))
            o.batch = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--layout"))
            o.layout = argv[i + 1];
        else if (!std::strcmp(argv[i], "--db"))
            o.path = argv[i + 1];
        else if (!std::strcmp(argv[i], "--payload"))
            o.payloadPath = argv[i + 1];
        else if (!std::strcmp(argv[i], "--payload-journal"))
            o.payloadJournal = argv[i + 1];
        else if (!std::strcmp(argv[i], "--main-journal"))
            o.mainJournal = argv[i + 1];
        else if (!std::strcmp(argv[i], "--payload-sync"))
            o.payloadSync = argv[i + 1];
        else if (!std::strcmp(argv[i], "--secure-delete"))
            o.secureDelete = argv[i + 1];
        else if (!std::strcmp(argv[i], "--retain"))
            o.retain = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--crash-test"))
            o.crashKills = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--body"))
            o.bodyKind = argv[i + 1];
        else if (!std::strcmp(argv[i], "--zstd")) {
            o.level = std::atoi(argv[i + 1]);
            o.compress = true;
        } else {
            o.rows = 0; // an unknown option: print the usage below
        }
    }
    if (o.layout == "batch" && !o.compress) {
        o.compress = true;
        o.level = 1;
    }
    if (o.payloadPath.empty())
        o.payloadPath = o.path + ".payload";
    const std::string &l = o.layout;
    const std::string &j = o.payloadJournal;
    // The kill test compares exchanges with heads rows: only the layouts that have them.
    const bool crashable = l == "split" || l == "v2" || l == "attached" || l == "appendfile";
    if (o.rows <= 0 || o.batch <= 0 || o.crashKills < 0 || o.retain < 0 || (o.crashKills && !crashable)
        || (l != "split" && l != "v2" && l != "payload" && l != "noindex" && l != "batch" && l != "attached"
            && l != "appendfile")
        || (o.bodyKind != "json" && o.bodyKind != "x" && o.bodyKind != "none")
        || (j != "wal" && j != "delete" && j != "truncate" && j != "persist" && j != "memory" && j != "off")
        || (o.mainJournal != "wal" && o.mainJournal != "delete")
        || (o.payloadSync != "off" && o.payloadSync != "normal" && o.payloadSync != "full")
        || (!o.secureDelete.empty() && o.secureDelete != "on" && o.secureDelete != "off"
            && o.secureDelete != "fast")) {
        std::fprintf(stderr,
            "usage: bench_sqlite_floor [--rows N] [--batch N] [--db FILE] [--body json|x|none]\n"
            "         [--zstd LEVEL] [--head-dict]\n"
            "         [--layout split|v2|payload|noindex|batch|attached|appendfile] [--payload FILE]\n"
            "         [--payload-journal wal|delete|truncate|persist|memory|off]\n"
            "         [--payload-sync off|normal|full] [--main-journal wal|delete]\n"
            "         [--retain N] [--secure-delete on|off|fast] [--crash-test KILLS]\n");
        return 2;
    }
    if (o.crashKills == 0)
        return run(o);
    Options child = o;
    child.rows = 1000000000L; // never finishes: the kill ends it
    return portico::bench::crashTest(
        { o.layout, o.path, o.payloadPath, o.crashKills }, [&child] { return run(child); });
}
