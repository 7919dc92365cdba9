// What `portico-cli proxy env` prints and the Intercept page launches with: the variables, each
// shell's quoting (a path with quotes, spaces or a $ stays one literal value), the CA bundle file,
// and the browser arguments (a fresh profile, the proxy for loopback too, the leaves' key).
#include "core/proxy/ProxyEnv.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::proxy;

class TstProxyEnv : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shellsByName()
    {
        QCOMPARE(shellNamed(QStringLiteral("bash")), Shell::Sh);
        QCOMPARE(shellNamed(QStringLiteral("ZSH")), Shell::Sh);
        QCOMPARE(shellNamed(QStringLiteral("fish")), Shell::Fish);
        QCOMPARE(shellNamed(QStringLiteral("pwsh")), Shell::PowerShell);
        QVERIFY(!shellNamed(QStringLiteral("tcsh")));
        QVERIFY(!shellNamed(QString()));
    }

    // A hostile path evaluated by a real sh stays the same bytes in every variable.
    void shQuotingSurvivesAHostilePath()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("sh")).isEmpty())
            QSKIP("no sh");
        ProxyEnvironment env;
        env.proxyUrl = QUrl(QStringLiteral("http://127.0.0.1:8888"));
        env.caPath = QStringLiteral("/tmp/it's a \"ca\" $(touch /tmp/pwned) `x`.pem");
        env.caBundlePath = env.caPath + QStringLiteral(".bundle");
        const QString script = environmentScript(env, Shell::Sh);
        QProcess sh;
        sh.start(QStringLiteral("sh"), { QStringLiteral("-c"), script + QStringLiteral("\nprintf '%s\\n%s\\n%s' \"$NODE_EXTRA_CA_CERTS\" \"$SSL_CERT_FILE\" \"$HTTPS_PROXY\"") });
        QVERIFY(sh.waitForFinished(5000));
        const QStringList out = QString::fromUtf8(sh.readAllStandardOutput()).split(u'\n');
        QCOMPARE(out.value(0), env.caPath);
        QCOMPARE(out.value(1), env.caBundlePath);
        QCOMPARE(out.value(2), QStringLiteral("http://127.0.0.1:8888"));
        QVERIFY(!QFile::exists(QStringLiteral("/tmp/pwned")));
    }

    void everyVariableInEveryShell()
    {
        ProxyEnvironment env;
        env.proxyUrl = QUrl(QStringLiteral("http://app:p%40ss@127.0.0.1:8888"));
        env.caPath = QStringLiteral("C:\\Users\\o'neil\\ca.pem");
        env.caBundlePath = QStringLiteral("/b.pem");
        const auto vars = environmentVariables(env);
        QStringList names;
        for (const auto &[name, value] : vars)
            names << name;
        for (const char *n : { "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "SSL_CERT_FILE",
                 "NODE_EXTRA_CA_CERTS", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "GIT_SSL_CAINFO" })
            QVERIFY2(names.contains(QLatin1String(n)), n);
        const QString fish = environmentScript(env, Shell::Fish);
        QVERIFY(fish.contains(QStringLiteral("set -gx NODE_EXTRA_CA_CERTS 'C:\\\\Users\\\\o\\'neil\\\\ca.pem'")));
        const QString ps = environmentScript(env, Shell::PowerShell);
        QVERIFY(ps.contains(QStringLiteral("$env:NODE_EXTRA_CA_CERTS = 'C:\\Users\\o''neil\\ca.pem'")));
        QVERIFY(ps.contains(QStringLiteral("$env:HTTPS_PROXY = 'http://app:p%40ss@127.0.0.1:8888'")));
    }

    void bundleHasTheSystemStoreAndTheCa()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bundle.pem"));
        const QByteArray ca = "-----BEGIN CERTIFICATE-----\nTEST\n-----END CERTIFICATE-----\n";
        QString error;
        QVERIFY2(writeCaBundle(path, ca, &error), qPrintable(error));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray pem = f.readAll();
        QVERIFY(pem.endsWith(ca));
        QVERIFY(pem.count("BEGIN CERTIFICATE") > 1); // the system's CAs first
        QVERIFY(!writeCaBundle(dir.filePath(QStringLiteral("missing/dir/b.pem")), ca, &error));
        QVERIFY(error.contains(QStringLiteral("missing/dir")));
    }

    void browsersGetAFreshProfilePointedAtTheProxy()
    {
        const QUrl proxy(QStringLiteral("http://127.0.0.1:18888"));
        const QStringList chromium = chromiumArguments(proxy, QStringLiteral("/tmp/p"), "AbC=");
        QVERIFY(chromium.contains(QStringLiteral("--user-data-dir=/tmp/p")));
        QVERIFY(chromium.contains(QStringLiteral("--proxy-server=http://127.0.0.1:18888")));
        QVERIFY(chromium.contains(QStringLiteral("--proxy-bypass-list=<-loopback>")));
        QVERIFY(chromium.contains(QStringLiteral("--ignore-certificate-errors-spki-list=AbC=")));
        const QByteArray js = firefoxUserJs(proxy);
        QVERIFY(js.contains("user_pref(\"network.proxy.ssl\", \"127.0.0.1\");"));
        QVERIFY(js.contains("user_pref(\"network.proxy.ssl_port\", 18888);"));
        QVERIFY(js.contains("network.proxy.allow_hijacking_localhost\", true"));
        QCOMPARE(firefoxArguments(QStringLiteral("/tmp/f")).mid(0, 2), (QStringList { "-profile", "/tmp/f" }));
    }
};

QTEST_MAIN(TstProxyEnv)
#include "tst_proxy_env.moc"
