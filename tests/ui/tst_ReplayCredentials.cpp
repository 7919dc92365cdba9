// Replay on protected routes from the traffic inspector, through the real gateway the GUI runs:
// a redacted API key of the exchange's consumer comes back from the running workspace (header or
// query, as the scheme reads it) and the new row says so; a JWT is asked for, and remembered for
// the session when the user says so; without a workspace the page asks instead of sending a
// request that must fail. No row, and no byte of the capture file, ever holds a secret (the routes
// hide credentials from the echoing upstream, so a 200 is the proof that the key went out).

#include "core/capture/CaptureReader.h"
#include "core/capture/CaptureStore.h"
#include "core/common/Clock.h"
#include "core/config/WorkspaceLoader.h"
#include "core/gateway/Gateway.h"
#include "support/LoopbackUpstream.h"
#include "tests/ui/CredentialAnswer.h"
#include "ui/gateway/GatewayController.h"
#include "ui/models/RowsModel.h"
#include "ui/traffic/ReplayDialog.h"
#include "ui/traffic/TrafficModel.h"
#include "ui/traffic/TrafficPage.h"
#include "ui/traffic/TrafficTable.h"
#include "ui/widgets/RowsEditor.h"

#include <QApplication>
#include <QCheckBox>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace portico;
using namespace portico::ui;

namespace {

QByteArray hs256(const QByteArray &secret, const QString &subject)
{
    auto b64 = [](const QByteArray &b) {
        return b.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const QByteArray head = b64(R"({"alg":"HS256","typ":"JWT"})");
    QJsonObject claims;
    claims.insert(QStringLiteral("sub"), subject);
    claims.insert(QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + 3600);
    const QByteArray body = b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature
        = QMessageAuthenticationCode::hash(head + '.' + body, secret, QCryptographicHash::Sha256);
    return head + '.' + body + '.' + b64(signature);
}

} // namespace

class ReplayCredentialsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init()
    {
        QVERIFY(m_upstream.isRunning());
        m_dir = std::make_unique<QTemporaryDir>();
        m_db = m_dir->filePath(QStringLiteral("traffic.db"));
        const auto loaded = config::loadWorkspaceText(QStringLiteral(R"(
version: 1
gateway: {listen: 127.0.0.1:0}
admin: {enabled: false}
capture: {database: traffic.db, redact_headers: [authorization, cookie, x-api-key]}
upstreams:
  echo: {targets: ["%1"]}
consumers:
  - {name: alice, api_keys: [alice-gui-key]}
  - {name: bob, jwt_subject: bob}
auth:
  keys: {type: api_key, header: X-API-Key}
  qkeys: {type: api_key, query: apikey}
  idp: {type: jwt, secret: jwt-test-secret-of-32-bytes-long, algorithms: [HS256]}
routes:
  - {name: users, match: {path: /api/users}, upstream: echo, auth: [keys], hide_credentials: true}
  - {name: search, match: {path: /api/search}, upstream: echo, auth: [qkeys], hide_credentials: true}
  - {name: orders, match: {path: /api/orders}, upstream: echo, auth: [idp], hide_credentials: true}
)")
                                                          .arg(m_upstream.url().toString())
                                                          .toUtf8(),
            m_dir->filePath(QStringLiteral("portico.yaml")));
        QVERIFY2(loaded.ok(), qPrintable(loaded.errors.value(0).toString()));
        m_gateway = std::make_unique<GatewayController>(SystemClock::instance());
        QCOMPARE(m_gateway->start(loaded.workspace), QStringList());
        QVERIFY(m_gateway->captureStore());
        m_page = std::make_unique<TrafficPage>();
        m_page->setSource(m_gateway->captureStore(), m_db);
        m_page->setWorkspaceProvider([this] {
            return m_withWorkspace
                ? ReplayWorkspace { m_gateway->gateway()->workspace(), m_gateway->gateway()->listenUrls() }
                : ReplayWorkspace {};
        });
        m_withWorkspace = true;
    }
    void cleanup()
    {
        m_page.reset();
        m_gateway.reset();
        m_dir.reset();
    }

    // alice's key in X-API-Key, redacted in the capture, restored: 200, noted, never stored.
    void anApiKeyHeaderComesBackFromTheWorkspace()
    {
        const qint64 original = call("/api/users/7", { { "X-API-Key", "alice-gui-key" } }, 200);
        const capture::Exchange result = replay(original);
        QCOMPARE(result.status, 200);
        QVERIFY(!m_upstream.lastRequests(1).value(0).hasHeader("x-api-key"));
        const auto row = stored(result.id);
        QCOMPARE(row.consumer, QStringLiteral("alice"));
        QVERIFY2(row.notes.contains(
                     QStringLiteral("header X-API-Key restored from the workspace: consumer alice's API key "
                                    "(scheme keys)")),
            qPrintable(row.notes));
        QCOMPARE(capture::headerValue(row.requestHeaders, "x-api-key"), QByteArray("[redacted]"));
        QVERIFY2(m_page->notice()->text().contains(QStringLiteral("restored from the workspace")),
            qPrintable(m_page->notice()->text()));
        QVERIFY(captureFilesHoldNo("alice-gui-key"));
    }

    // The key in the query, as the scheme reads it.
    void anApiKeyQueryParameterComesBack()
    {
        const qint64 original = call("/api/search?q=x&apikey=alice-gui-key", {}, 200);
        QVERIFY(stored(original).query.contains(QStringLiteral("apikey=[redacted]"))
            || stored(original).query.contains(QStringLiteral("apikey=%5Bredacted%5D")));
        const capture::Exchange result = replay(original);
        QCOMPARE(result.status, 200);
        QCOMPARE(m_upstream.lastRequests(1).value(0).query, QStringLiteral("q=x"));
        QVERIFY(stored(result.id).notes.contains(QStringLiteral("query parameter apikey restored")));
        QVERIFY(captureFilesHoldNo("alice-gui-key"));
    }

    // Edit & Resend shows exactly what goes out: alice's restored key in its row, named as
    // restored, and the new row says so; a value the user changes is theirs (no such note).
    void editAndResendShowsTheRestoredKey()
    {
        const qint64 original = call("/api/users/5", { { "X-API-Key", "alice-gui-key" } }, 200);
        QList<QStringList> shown;
        QString note;
        bool noteVisible = false;
        resendWith(original, [&](ReplayDialog &d) {
            shown = d.headersEditor()->model()->rows();
            note = d.restoredNote()->text();
            noteVisible = d.restoredNote()->isVisibleTo(&d);
        });
        capture::Exchange result = resendResult();
        QVERIFY(shown.contains(QStringList { QStringLiteral("X-API-Key"), QStringLiteral("alice-gui-key") }));
        for (const QStringList &row : shown)
            QVERIFY2(row.value(1) != QStringLiteral("[redacted]"), qPrintable(row.join(u':')));
        QVERIFY(noteVisible);
        QVERIFY2(
            note.contains(QStringLiteral("header X-API-Key restored from the workspace: consumer alice's "
                                         "API key")),
            qPrintable(note));
        QCOMPARE(result.status, 200);
        QCOMPARE(stored(result.id).consumer, QStringLiteral("alice"));
        QVERIFY(
            stored(result.id).notes.contains(QStringLiteral("header X-API-Key restored from the workspace")));

        // The user types another key: it is sent as typed and not called restored.
        resendWith(original, [](ReplayDialog &d) {
            QList<QStringList> rows = d.headersEditor()->model()->rows();
            for (QStringList &row : rows) {
                if (row.value(0) == QStringLiteral("X-API-Key"))
                    row[1] = QStringLiteral("not-a-key");
            }
            d.headersEditor()->model()->setRows(rows);
        });
        result = resendResult();
        QCOMPARE(result.status, 401);
        QVERIFY(!stored(result.id).notes.contains(QStringLiteral("restored")));
        QVERIFY(captureFilesHoldNo("alice-gui-key"));

        // Without a workspace nothing is restored: the row reads [redacted] and the note is hidden.
        m_withWorkspace = false;
        resendWith(
            original,
            [&](ReplayDialog &d) {
                shown = d.headersEditor()->model()->rows();
                noteVisible = d.restoredNote()->isVisibleTo(&d);
            },
            false);
        QVERIFY(shown.contains(QStringList { QStringLiteral("X-API-Key"), QStringLiteral("[redacted]") }));
        QVERIFY(!noteVisible);
    }

    // A JWT is not in the workspace: asked for, remembered for the session when asked to.
    void aTokenIsAskedForAndRemembered()
    {
        const QByteArray token = hs256("jwt-test-secret-of-32-bytes-long", QStringLiteral("bob"));
        const qint64 original = call("/api/orders/1", { { "Authorization", "Bearer " + token } }, 200);
        int asked = 0;
        ui::test::answerCredentials(
            [&token](CredentialDialog &d) {
                QCOMPARE(d.edits().size(), 1);
                QCOMPARE(d.edits().first()->echoMode(), QLineEdit::Password);
                d.edits().first()->setText(QString::fromLatin1(token));
                d.rememberBox()->setChecked(true);
            },
            true, &asked);
        capture::Exchange result = replay(original);
        QCOMPARE(asked, 1);
        QCOMPARE(result.status, 200);
        QCOMPARE(stored(result.id).consumer, QStringLiteral("bob"));
        QVERIFY(stored(result.id).notes.contains(
            QStringLiteral("header Authorization supplied for the replay (scheme idp)")));
        QCOMPARE(m_page->credentials().rememberedCount(), 1);
        // Again: no question, the remembered token goes.
        result = replay(original);
        QCOMPARE(asked, 1);
        QCOMPARE(result.status, 200);
        QVERIFY(stored(result.id).notes.contains(QStringLiteral("remembered for this session")));
        QVERIFY(captureFilesHoldNo(token));
    }

    // Without a workspace the page asks; Cancel sends nothing.
    void withoutAWorkspaceThePageAsks()
    {
        const qint64 original = call("/api/users/8", { { "X-API-Key", "alice-gui-key" } }, 200);
        m_withWorkspace = false;
        const int before = m_upstream.requestCount();
        int asked = 0;
        ui::test::answerCredentials(nullptr, false, &asked);
        m_page->table()->selectRow(m_page->model()->rowOfId(original));
        m_page->replaySelected();
        QTRY_COMPARE(asked, 1);
        QTRY_VERIFY(m_page->notice()->text().contains(QStringLiteral("cancelled")));
        QCOMPARE(m_upstream.requestCount(), before);
        ui::test::answerCredentials(
            [](CredentialDialog &d) { d.edits().first()->setText(QStringLiteral("alice-gui-key")); }, true,
            &asked);
        const capture::Exchange result = replay(original);
        QCOMPARE(asked, 2);
        QCOMPARE(result.status, 200);
        QVERIFY(stored(result.id).notes.contains(QStringLiteral("header X-API-Key supplied for the replay")));
        QVERIFY(captureFilesHoldNo("alice-gui-key"));
    }

    // Hostile rows: a consumer the workspace does not have gets nothing (the page asks, saying
    // why), and a redacted header no scheme of the route reads is never filled from a key.
    void hostileRowsGetNoKey()
    {
        const QUrl listener = m_gateway->gateway()->listenUrls().value(0);
        capture::Exchange forged;
        forged.startedAt = QDateTime::currentDateTimeUtc();
        forged.method = QStringLiteral("GET");
        forged.scheme = QStringLiteral("http");
        forged.path = QStringLiteral("/api/users/9");
        forged.url = listener.toString() + forged.path;
        forged.listener = QStringLiteral("127.0.0.1:%1").arg(listener.port());
        forged.route = QStringLiteral("users");
        forged.consumer = QStringLiteral("mallory");
        forged.status = 200;
        forged.requestHeaders = { { "Host", "localhost" }, { "X-API-Key", "stolen" }, { "Cookie", "a=b" } };
        const qint64 stranger = m_gateway->captureStore()->submit(capture::Exchange(forged));
        forged.consumer = QStringLiteral("alice");
        const qint64 cookie = m_gateway->captureStore()->submit(capture::Exchange(forged));
        QVERIFY(m_gateway->captureStore()->flush());
        m_rows = m_gateway->captureStore()->storedRows();
        QTRY_VERIFY(m_page->model()->rowOfId(cookie) >= 0);

        int asked = 0;
        QString reasons;
        ui::test::answerCredentials(
            [&reasons](CredentialDialog &d) {
                for (QLabel *l : d.findChildren<QLabel *>())
                    reasons += l->text();
                QCOMPARE(d.edits().size(), 2); // X-API-Key and Cookie
            },
            true, &asked);
        capture::Exchange result = replay(stranger);
        QCOMPARE(asked, 1);
        QVERIFY2(reasons.contains(QStringLiteral("consumer &#x27;mallory&#x27; is not in the workspace"))
                || reasons.contains(QStringLiteral("consumer 'mallory' is not in the workspace")),
            qPrintable(reasons));
        QCOMPARE(result.status, 401); // the gateway refused it: nothing reached the upstream

        // alice's row: her key comes back in X-API-Key; the Cookie is asked for, never her key.
        ui::test::answerCredentials([](CredentialDialog &d) { QCOMPARE(d.edits().size(), 1); }, true, &asked);
        result = replay(cookie);
        QCOMPARE(asked, 2);
        QCOMPARE(result.status, 200);
        QVERIFY(!m_upstream.lastRequests(1).value(0).hasHeader("cookie"));
        QVERIFY(stored(result.id).notes.contains(
            QStringLiteral("header Cookie was redacted in the capture and not sent")));
    }

private:
    // Opens Edit & Resend on `id`, lets `look` read or edit the dialog, then sends (or cancels).
    void resendWith(qint64 id, std::function<void(ReplayDialog &)> look, bool send = true)
    {
        m_page->table()->clearSelection();
        m_page->table()->selectRow(m_page->model()->rowOfId(id));
        m_replayed = std::make_unique<QSignalSpy>(m_page.get(), &TrafficPage::replayed);
        bool seen = false;
        auto *timer = new QTimer(this);
        timer->setInterval(20);
        connect(timer, &QTimer::timeout, this, [timer, look, send, &seen] {
            auto *dialog = qobject_cast<ReplayDialog *>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            timer->stop();
            timer->deleteLater();
            look(*dialog);
            seen = true;
            send ? dialog->accept() : dialog->reject();
        });
        timer->start();
        m_page->editAndResend(); // modal: returns once the dialog is answered
        QVERIFY(seen);
    }

    capture::Exchange resendResult()
    {
        if (!m_replayed || (m_replayed->isEmpty() && !m_replayed->wait(5000)))
            return {};
        capture::CaptureStore *store = m_gateway->captureStore();
        (void)QTest::qWaitFor([&] {
            store->flush();
            return store->storedRows() > m_rows;
        });
        m_rows = store->storedRows();
        return m_replayed->first().first().value<capture::Exchange>();
    }

    qint64 call(const char *pathAndQuery, const QList<std::pair<QByteArray, QByteArray>> &headers, int status)
    {
        QNetworkAccessManager nam;
        QNetworkRequest request(QUrl(m_gateway->listenUrls().value(0) + QString::fromLatin1(pathAndQuery)));
        for (const auto &[k, v] : headers)
            request.setRawHeader(k, v);
        QNetworkReply *reply = nam.get(request);
        QSignalSpy done(reply, &QNetworkReply::finished);
        if (!done.wait(5000))
            return 0;
        const int got = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        reply->deleteLater();
        if (got != status)
            return 0;
        capture::CaptureStore *store = m_gateway->captureStore();
        const quint64 before = m_rows;
        (void)QTest::qWaitFor([&] {
            store->flush();
            return store->storedRows() > before;
        });
        m_rows = store->storedRows();
        capture::CaptureReader reader;
        reader.open(m_db);
        const qint64 id = reader.maxId();
        (void)QTest::qWaitFor([&] { return m_page->model()->rowOfId(id) >= 0; });
        return id;
    }

    capture::Exchange replay(qint64 id)
    {
        m_page->table()->clearSelection();
        m_page->table()->selectRow(m_page->model()->rowOfId(id));
        QSignalSpy replayed(m_page.get(), &TrafficPage::replayed);
        m_page->replaySelected();
        if (!replayed.wait(5000) && replayed.isEmpty())
            return {};
        capture::CaptureStore *store = m_gateway->captureStore();
        (void)QTest::qWaitFor([&] {
            store->flush();
            return store->storedRows() > m_rows;
        });
        m_rows = store->storedRows();
        return replayed.first().first().value<capture::Exchange>();
    }

    capture::Exchange stored(qint64 id)
    {
        m_gateway->captureStore()->flush();
        capture::CaptureReader reader;
        reader.open(m_db);
        return reader.get(id).value_or(capture::Exchange {});
    }

    bool captureFilesHoldNo(const QByteArray &secret)
    {
        m_gateway->captureStore()->flush();
        for (const QString &f :
            QDir(m_dir->path()).entryList({ QStringLiteral("traffic.db*") }, QDir::Files)) {
            QFile raw(m_dir->filePath(f));
            if (raw.open(QIODevice::ReadOnly) && raw.readAll().contains(secret)) {
                qWarning("%s holds the secret", qPrintable(f));
                return false;
            }
        }
        return true;
    }

    portico::test::LoopbackUpstream m_upstream;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_db;
    std::unique_ptr<GatewayController> m_gateway;
    std::unique_ptr<TrafficPage> m_page;
    bool m_withWorkspace = true;
    std::unique_ptr<QSignalSpy> m_replayed;
    quint64 m_rows = 0;
};

QTEST_MAIN(ReplayCredentialsTest)
#include "tst_ReplayCredentials.moc"
