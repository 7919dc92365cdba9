// The rate_limit_store section: defaults, reading, every mistake at its file:line:col, hostile
// redis URLs, load -> save -> load, and the password in the URL redacted in the JSON form (and
// restored when that JSON comes back through PUT /config).
#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"

#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::config;

class TestRateLimitStoreConfig : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    LoadResult load(const QByteArray &text)
    {
        return loadWorkspaceText(text, m_dir.filePath("w.yaml"), QProcessEnvironment());
    }
    static QStringList positioned(const QList<Diagnostic> &errors)
    {
        QStringList out;
        for (const Diagnostic &d : errors)
            out << QStringLiteral("%1:%2: %3").arg(d.line).arg(d.column).arg(d.message);
        return out;
    }

private Q_SLOTS:
    void defaultsAreInProcess()
    {
        const LoadResult r = load("version: 1\n");
        QVERIFY(r.ok());
        QVERIFY(!r.workspace->rateLimitStore.shared());
        QCOMPARE(r.workspace->rateLimitStore.onError, RateLimitStoreSettings::OnError::Allow);
        QCOMPARE(r.workspace->rateLimitStore.timeout, Duration(100));
        QVERIFY(!writeWorkspaceYaml(*r.workspace).contains("rate_limit_store"));
    }

    void readsTheContractKeys()
    {
        const LoadResult r = load("version: 1\n"
                                  "rate_limit_store:\n"
                                  "  redis: redis://127.0.0.1:6390/2\n"
                                  "  on_error: deny\n"
                                  "  timeout: 250ms\n");
        QVERIFY2(r.ok(), r.errors.isEmpty() ? "" : qPrintable(r.errors.first().toString()));
        const RateLimitStoreSettings &s = r.workspace->rateLimitStore;
        QCOMPARE(s.redis, QStringLiteral("redis://127.0.0.1:6390/2"));
        QCOMPARE(s.onError, RateLimitStoreSettings::OnError::Deny);
        QCOMPARE(s.timeout, Duration(250));

        const QByteArray saved = writeWorkspaceYaml(*r.workspace);
        const LoadResult again = load(saved);
        QVERIFY2(again.ok(), saved.constData());
        QCOMPARE(again.workspace->rateLimitStore, s);
        QVERIFY(*again.workspace == *r.workspace);
    }

    void redisUrls_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<int>("db");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("password");
        QTest::newRow("plain") << "redis://127.0.0.1" << true << "127.0.0.1" << 6379 << 0 << ""
                               << "";
        QTest::newRow("port and db") << "redis://localhost:6380/3" << true << "localhost" << 6380 << 3 << ""
                                     << "";
        QTest::newRow("ipv6") << "redis://[::1]:7000/" << true << "::1" << 7000 << 0 << ""
                              << "";
        QTest::newRow("password") << "redis://:s3cr%40t@h:1/0" << true << "h" << 1 << 0 << ""
                                  << "s3cr@t";
        QTest::newRow("acl user") << "redis://app:pw@h/1" << true << "h" << 6379 << 1 << "app"
                                  << "pw";
        QTest::newRow("user without password") << "redis://app@h" << false << "" << 0 << 0 << ""
                                               << "";
        QTest::newRow("tls") << "rediss://h:6379" << false << "" << 0 << 0 << ""
                             << "";
        QTest::newRow("http") << "http://h:6379" << false << "" << 0 << 0 << ""
                              << "";
        QTest::newRow("no scheme") << "127.0.0.1:6379" << false << "" << 0 << 0 << ""
                                   << "";
        QTest::newRow("no host") << "redis:///0" << false << "" << 0 << 0 << ""
                                 << "";
        QTest::newRow("port 0") << "redis://h:0" << false << "" << 0 << 0 << ""
                                << "";
        QTest::newRow("port too big") << "redis://h:70000" << false << "" << 0 << 0 << ""
                                      << "";
        QTest::newRow("db not a number") << "redis://h/abc" << false << "" << 0 << 0 << ""
                                         << "";
        QTest::newRow("negative db") << "redis://h/-1" << false << "" << 0 << 0 << ""
                                     << "";
        QTest::newRow("db with a path") << "redis://h/1/2" << false << "" << 0 << 0 << ""
                                        << "";
        QTest::newRow("db with a sign") << "redis://h/+1" << false << "" << 0 << 0 << ""
                                        << "";
        QTest::newRow("huge db") << "redis://h/99999999999999999999" << false << "" << 0 << 0 << ""
                                 << "";
        QTest::newRow("query") << "redis://h/0?timeout=1" << false << "" << 0 << 0 << ""
                               << "";
        QTest::newRow("fragment") << "redis://h/0#x" << false << "" << 0 << 0 << ""
                                  << "";
        QTest::newRow("CR LF in host") << "redis://h\r\nSET x 1/0" << false << "" << 0 << 0 << ""
                                       << "";
        QTest::newRow("space in host") << "redis://a b/0" << false << "" << 0 << 0 << ""
                                       << "";
        QTest::newRow("empty") << "" << false << "" << 0 << 0 << ""
                               << "";
    }

    void redisUrls()
    {
        QFETCH(QString, url);
        QFETCH(bool, ok);
        QString error;
        const auto a = parseRedisUrl(url, &error);
        QCOMPARE(bool(a), ok);
        if (!ok) {
            QVERIFY(!error.isEmpty());
            return;
        }
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(int, db);
        QFETCH(QString, user);
        QFETCH(QString, password);
        QCOMPARE(a->host, host);
        QCOMPARE(int(a->port), port);
        QCOMPARE(a->db, db);
        QCOMPARE(a->user, user);
        QCOMPARE(a->password, password);
    }

    void mistakes_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QStringList>("expected");
        QTest::newRow("unknown key")
            << QByteArray("version: 1\nrate_limit_store:\n  redis: redis://h\n  on_eror: deny\n")
            << QStringList { "4:3: unknown key 'on_eror' in rate_limit_store (did you mean 'on_error'?)" };
        QTest::newRow("unknown on_error")
            << QByteArray("version: 1\nrate_limit_store:\n  on_error: block\n")
            << QStringList { "3:13: unknown on_error action 'block' (use allow, deny)" };
        QTest::newRow("not redis")
            << QByteArray("version: 1\nrate_limit_store:\n  redis: memcached://h:11211\n")
            << QStringList { "3:10: 'memcached://h:11211' must be a redis:// URL (redis://host:port/db)" };
        QTest::newRow("tls")
            << QByteArray("version: 1\nrate_limit_store: {redis: \"rediss://h\"}\n")
            << QStringList {
                   "2:27: rediss:// (Redis over TLS) is not supported; use redis:// on a trusted network"
               };
        QTest::newRow("bad db") << QByteArray("version: 1\nrate_limit_store:\n  redis: redis://h/x\n")
                                << QStringList {
                                       "3:10: 'redis://h/x': the path must be a database number (/0, /1, ...)"
                                   };
        QTest::newRow("zero timeout") << QByteArray("version: 1\nrate_limit_store:\n  timeout: 0s\n")
                                      << QStringList { "3:12: 'timeout' must be more than 0" };
        QTest::newRow("long timeout")
            << QByteArray("version: 1\nrate_limit_store:\n  timeout: 1m\n")
            << QStringList { "3:12: 'timeout' must be at most 10s: requests wait for it" };
        QTest::newRow("not a map") << QByteArray("version: 1\nrate_limit_store: redis://h\n")
                                   << QStringList {
                                          "2:19: 'rate_limit_store' must be a map, not 'redis://h'"
                                      };
    }

    void mistakes()
    {
        QFETCH(QByteArray, text);
        QFETCH(QStringList, expected);
        const LoadResult r = load(text);
        QVERIFY(!r.ok());
        QCOMPARE(positioned(r.errors).join(u'\n'), expected.join(u'\n'));
        for (const Diagnostic &d : r.errors)
            QVERIFY(d.toString().startsWith(m_dir.filePath("w.yaml") + QStringLiteral(":%1:").arg(d.line)));
    }

    void passwordIsRedactedInJsonAndRestored()
    {
        const LoadResult r
            = load("version: 1\nrate_limit_store: {redis: \"redis://:hunter2@127.0.0.1:6379/0\"}\n");
        QVERIFY(r.ok());
        const QJsonObject json = workspaceToJson(*r.workspace);
        const QString shown = json.value("rate_limit_store").toObject().value("redis").toString();
        QVERIFY2(!shown.contains(QStringLiteral("hunter2")), qPrintable(shown));
        // The file keeps it (it is the user's own file).
        QVERIFY(writeWorkspaceYaml(*r.workspace).contains("hunter2"));

        Workspace incoming = *r.workspace;
        incoming.rateLimitStore.redis = shown;
        restoreRedactedSecrets(incoming, *r.workspace);
        QCOMPARE(incoming.rateLimitStore.redis, r.workspace->rateLimitStore.redis);

        // Without a password there is nothing to hide.
        const LoadResult open = load("version: 1\nrate_limit_store: {redis: \"redis://127.0.0.1:6379\"}\n");
        QVERIFY(open.ok());
        QCOMPARE(
            workspaceToJson(*open.workspace).value("rate_limit_store").toObject().value("redis").toString(),
            QStringLiteral("redis://127.0.0.1:6379"));
    }

    void passwordFromTheEnvironmentIsWrittenAsItsTemplate()
    {
        QProcessEnvironment env;
        env.insert("REDIS_URL", "redis://:pw@127.0.0.1:6379");
        const LoadResult r = loadWorkspaceText(
            "version: 1\nrate_limit_store:\n  redis: ${REDIS_URL}\n", m_dir.filePath("w.yaml"), env);
        QVERIFY(r.ok());
        QCOMPARE(r.workspace->rateLimitStore.redis, QStringLiteral("redis://:pw@127.0.0.1:6379"));
        const QByteArray saved = writeWorkspaceYaml(*r.workspace);
        QVERIFY2(saved.contains("${REDIS_URL}"), saved.constData());
        QVERIFY(!saved.contains(":pw@"));
    }
};

QTEST_GUILESS_MAIN(TestRateLimitStoreConfig)
#include "tst_ratelimitstore_config.moc"
