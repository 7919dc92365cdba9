// MockFilter and its factory: inline and file bodies, delays on the event loop, bad config.

#include "FactoryShims.h"
#include "core/filters/mock/MockFactory.h"
#include "core/filters/mock/MockFilter.h"

#include "support/TempWorkspace.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QTest>

using namespace portico;
using namespace portico::filters;

namespace {

class FakeCallbacks final : public FilterCallbacks
{
public:
    void resume() override { ++resumed; }
    void sendLocalReply(LocalReply r) override { localReply = std::move(r); }
    void sendResponse(http::ResponseHead h, QByteArray b) override
    {
        if (m_cancelled)
            return; // the proxy's contract: nothing happens once the client has gone
        ++responses;
        head = std::move(h);
        body = std::move(b);
    }
    bool cancelled() const override { return m_cancelled; }
    QNetworkAccessManager &network() override { return m_network; }

    void cancel() { m_cancelled = true; }

    int resumed = 0;
    int responses = 0;
    std::optional<LocalReply> localReply;
    http::ResponseHead head;
    QByteArray body;

private:
    bool m_cancelled = false;
    QNetworkAccessManager m_network;
};

config::Route mockRoute(const config::Mock &mock)
{
    config::Route r;
    r.name = "health";
    r.mock = mock;
    return r;
}

struct Request
{
    http::RequestHead head;
    RequestContext ctx;
    Request()
    {
        head.method = "GET";
        head.path = "/health";
        ctx.request = &head;
    }
};

FilterPtr build(const config::Workspace &ws, const config::Mock &mock)
{
    FilterServices services;
    QString error;
    FilterPtr f = makeMockFilter(ws, mockRoute(mock), services, &error);
    if (!f)
        qFatal("mock not built: %s", qPrintable(error));
    return f;
}

} // namespace

class TestMock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inlineBodyAnswersAtOnce()
    {
        config::Mock mock;
        mock.status = 201;
        mock.headers = { { "Content-Type", "application/json" }, { "X-Mock", "yes" } };
        mock.body = R"({"status":"ok"})";
        const FilterPtr f = build({}, mock);
        auto cb = std::make_shared<FakeCallbacks>();
        Request req;
        QCOMPARE(f->onRequest(req.ctx, cb), FilterStatus::Stop);
        QCOMPARE(cb->responses, 1);
        QCOMPARE(cb->head.status, 201);
        QCOMPARE(cb->head.reason, QByteArray("Created"));
        QCOMPARE(cb->head.headers.value("content-type"), QByteArray("application/json"));
        QCOMPARE(cb->head.headers.value("X-Mock"), QByteArray("yes"));
        QCOMPARE(cb->body, QByteArray(R"({"status":"ok"})"));
        QVERIFY(!cb->localReply);

        // The same filter answers every request.
        auto cb2 = std::make_shared<FakeCallbacks>();
        Request again;
        f->onRequest(again.ctx, cb2);
        QCOMPARE(cb2->body, cb->body);
    }

    void contentTypeGuessedWhenMissing()
    {
        config::Mock json;
        json.body = R"([1,2,3])";
        auto cb = std::make_shared<FakeCallbacks>();
        Request req;
        build({}, json)->onRequest(req.ctx, cb);
        QCOMPARE(cb->head.headers.value("Content-Type"), QByteArray("application/json"));

        config::Mock text;
        text.body = "hello";
        auto cb2 = std::make_shared<FakeCallbacks>();
        build({}, text)->onRequest(req.ctx, cb2);
        QCOMPARE(cb2->head.headers.value("Content-Type"), QByteArray("text/plain; charset=utf-8"));

        config::Mock empty;
        empty.status = 204;
        auto cb3 = std::make_shared<FakeCallbacks>();
        build({}, empty)->onRequest(req.ctx, cb3);
        QCOMPARE(cb3->head.status, 204);
        QVERIFY(cb3->body.isEmpty());
        QVERIFY(!cb3->head.headers.contains("Content-Type"));
    }

    void bodyFileReadOnceAtBuildTime()
    {
        test::TempWorkspace tmp;
        QVERIFY(tmp.isValid());
        tmp.writeFile("mocks/users.json", R"({"users":[{"id":1}]})");
        config::Workspace ws;
        ws.filePath = tmp.path("portico.yaml");
        config::Mock mock;
        mock.bodyFile = "mocks/users.json";
        const FilterPtr f = build(ws, mock);

        // Changing the file after the build does not change the answer (until a reload).
        tmp.writeFile("mocks/users.json", "changed");
        auto cb = std::make_shared<FakeCallbacks>();
        Request req;
        QCOMPARE(f->onRequest(req.ctx, cb), FilterStatus::Stop);
        QCOMPARE(cb->head.status, 200);
        QCOMPARE(cb->body, QByteArray(R"({"users":[{"id":1}]})"));
        QCOMPARE(cb->head.headers.value("Content-Type"), QByteArray("application/json; charset=utf-8"));

        tmp.writeFile("mocks/page.html", "<html><body>hi</body></html>");
        mock.bodyFile = "mocks/page.html";
        auto cb2 = std::make_shared<FakeCallbacks>();
        build(ws, mock)->onRequest(req.ctx, cb2);
        QCOMPARE(cb2->head.headers.value("Content-Type"), QByteArray("text/html; charset=utf-8"));
    }

    void delayedAnswerOnTheEventLoop()
    {
        config::Mock mock;
        mock.body = "late";
        mock.delay = std::chrono::milliseconds(150);
        const FilterPtr f = build({}, mock);
        auto cb = std::make_shared<FakeCallbacks>();
        Request req;
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(f->onRequest(req.ctx, cb), FilterStatus::Stop);
        QCOMPARE(cb->responses, 0); // not yet: the timer answers later
        QTRY_COMPARE_WITH_TIMEOUT(cb->responses, 1, 5000);
        QVERIFY2(clock.elapsed() >= 140, QByteArray::number(clock.elapsed()));
        QCOMPARE(cb->body, QByteArray("late"));
        QCOMPARE(cb->resumed, 0);
    }

    void delayedAnswerSurvivesFilterAndSkipsGoneClients()
    {
        config::Mock mock;
        mock.body = "late";
        mock.delay = std::chrono::milliseconds(50);
        FilterPtr f = build({}, mock);
        auto kept = std::make_shared<FakeCallbacks>();
        auto gone = std::make_shared<FakeCallbacks>();
        Request a, b;
        f->onRequest(a.ctx, kept);
        f->onRequest(b.ctx, gone);
        gone->cancel();
        f.reset(); // a reload dropped the filter while answers were pending
        QTRY_COMPARE_WITH_TIMEOUT(kept->responses, 1, 5000);
        QCOMPARE(kept->body, QByteArray("late"));
        QCOMPARE(gone->responses, 0);
    }

    void factoryErrors_data()
    {
        QTest::addColumn<int>("which");
        QTest::addColumn<QString>("expected");
        QTest::newRow("missing file") << 0 << "body_file 'nope.json' cannot be read";
        QTest::newRow("both bodies") << 1 << "body and body_file are both set";
        QTest::newRow("bad status") << 2 << "status 99";
        QTest::newRow("bad header") << 3 << "'Bad Header' is not a valid header name";
        QTest::newRow("framing header") << 4 << "'content-length' is set by the gateway";
        QTest::newRow("header injection") << 5 << "line break";
    }

    void factoryErrors()
    {
        QFETCH(int, which);
        QFETCH(QString, expected);
        test::TempWorkspace tmp;
        config::Workspace ws;
        ws.filePath = tmp.path("portico.yaml");
        config::Mock mock;
        switch (which) {
        case 0:
            mock.bodyFile = "nope.json";
            break;
        case 1:
            mock.body = "x";
            mock.bodyFile = "x.json";
            break;
        case 2:
            mock.status = 99;
            break;
        case 3:
            mock.headers = { { "Bad Header", "1" } };
            break;
        case 4:
            mock.headers = { { "content-length", "10" } };
            break;
        case 5:
            mock.headers = { { "X-A", "1\r\nX-B: 2" } };
            break;
        }
        FilterServices services;
        QString error;
        QVERIFY(!makeMockFilter(ws, mockRoute(mock), services, &error));
        QVERIFY2(error.startsWith("route 'health': mock: "), qPrintable(error));
        QVERIFY2(error.contains(expected), qPrintable(error));
        if (which == 0)
            QVERIFY2(error.contains(tmp.path("nope.json")), qPrintable(error));
    }

    void noMockNoFilter()
    {
        config::Route r;
        r.name = "users";
        r.upstream = "users";
        FilterServices services;
        QString error = "stale";
        QVERIFY(!makeMockFilter({}, r, services, &error));
        QVERIFY(error.isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestMock)
#include "tst_mock.moc"
