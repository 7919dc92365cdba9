// The Settings page edits rate_limit_store (Redis URL, on_error, deadline) and tracing.otlp
// (endpoint, service name, sample) into the workspace, and shows them back; the status bar shows
// the shared store's state and hides it when limits are kept in the process.

#include "core/config/WorkspaceLoader.h"
#include "ui/document/WorkspaceDocument.h"
#include "ui/main/StatusPanel.h"
#include "ui/sections/SettingsPage.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineEdit>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

using namespace portico;
using namespace portico::ui;

class SharedSettingsTest : public QObject
{
    Q_OBJECT

private:
    static void type(QLineEdit *edit, const QString &text)
    {
        edit->setText(text);
        Q_EMIT edit->editingFinished();
    }

private Q_SLOTS:
    void settingsPageEditsTheStoreAndTheExport()
    {
        WorkspaceDocument doc;
        doc.reset(config::Workspace {});
        SettingsPage page(&doc);
        auto *redis = page.findChild<QLineEdit *>(QStringLiteral("rateLimitStoreRedis"));
        auto *onError = page.findChild<QComboBox *>(QStringLiteral("rateLimitStoreOnError"));
        auto *endpoint = page.findChild<QLineEdit *>(QStringLiteral("otlpEndpoint"));
        auto *service = page.findChild<QLineEdit *>(QStringLiteral("otlpServiceName"));
        QVERIFY(redis && onError && endpoint && service);

        type(redis, QStringLiteral("redis://127.0.0.1:6390/1"));
        QCOMPARE(doc.workspace().rateLimitStore.redis, QStringLiteral("redis://127.0.0.1:6390/1"));
        onError->setCurrentIndex(1);
        Q_EMIT onError->activated(1);
        QCOMPARE(doc.workspace().rateLimitStore.onError, config::RateLimitStoreSettings::OnError::Deny);
        type(redis, QString());
        QVERIFY(!doc.workspace().rateLimitStore.shared());

        type(endpoint, QStringLiteral("http://127.0.0.1:4318/v1/traces"));
        QVERIFY(doc.workspace().tracing.otlp);
        QCOMPARE(
            doc.workspace().tracing.otlp->endpoint, QUrl(QStringLiteral("http://127.0.0.1:4318/v1/traces")));
        QCOMPARE(doc.workspace().tracing.otlp->serviceName, QStringLiteral("portico"));
        type(service, QStringLiteral("edge"));
        QCOMPARE(doc.workspace().tracing.otlp->serviceName, QStringLiteral("edge"));
        type(endpoint, QString());
        QVERIFY(!doc.workspace().tracing.otlp);

        // A loaded workspace shows its values.
        config::Workspace ws;
        ws.rateLimitStore.redis = QStringLiteral("redis://10.0.0.1:6379/0");
        ws.rateLimitStore.onError = config::RateLimitStoreSettings::OnError::Deny;
        ws.tracing.otlp = config::OtlpSettings { QUrl(QStringLiteral("http://c:4318/v1/traces")),
            QStringLiteral("api"), 0.5 };
        doc.reset(ws);
        QCOMPARE(redis->text(), QStringLiteral("redis://10.0.0.1:6379/0"));
        QCOMPARE(onError->currentIndex(), 1);
        QCOMPARE(endpoint->text(), QStringLiteral("http://c:4318/v1/traces"));
        QCOMPARE(service->text(), QStringLiteral("api"));
        QCOMPARE(page.findChild<QDoubleSpinBox *>(QStringLiteral("otlpSample"))->value(), 0.5);
    }

    void statusBarShowsTheStore()
    {
        QStatusBar bar;
        StatusPanel status(&bar);
        bar.show();
        const auto storeLabel = [&bar]() -> QLabel * {
            for (QLabel *l : bar.findChildren<QLabel *>()) {
                if (l->text().contains(QStringLiteral("Redis")))
                    return l;
            }
            return nullptr;
        };
        status.setRateLimitStore(QStringLiteral("127.0.0.1:6379/0"), 1, QStringLiteral("allow"));
        QVERIFY(storeLabel() && storeLabel()->isVisible());
        QVERIFY(storeLabel()->text().contains(QStringLiteral("shared")));
        status.setRateLimitStore(QStringLiteral("127.0.0.1:6379/0"), 0, QStringLiteral("deny"));
        QVERIFY2(storeLabel()->text().contains(QStringLiteral("503")), qPrintable(storeLabel()->text()));
        status.setRateLimitStore(QStringLiteral("127.0.0.1:6379/0"), 0, QStringLiteral("allow"));
        QVERIFY2(storeLabel()->text().contains(QStringLiteral("off")), qPrintable(storeLabel()->text()));
        QLabel *label = storeLabel();
        status.setRateLimitStore(QString(), -1, QString());
        QVERIFY(label->isHidden());
    }
};

QTEST_MAIN(SharedSettingsTest)
#include "tst_SharedSettings.moc"
