// core/ must never depend on widgets: portico-cli links only core, and servers run it headless.
// This test reads every source file under core/ and fails on any include of a QtWidgets, QtGui or
// QtCharts header (by module path or by class header name, taken from the installed Qt), and on a
// Widgets/Gui/Charts link in core/CMakeLists.txt.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QLibraryInfo>
#include <QRegularExpression>
#include <QSet>
#include <QTest>

class TestLayering : public QObject
{
    Q_OBJECT

private:
    static QString sourceDir() { return QString::fromLocal8Bit(qgetenv("PORTICO_SOURCE_DIR")); }

    // Class-style header names of a Qt module ("QWidget", "QMainWindow", ...).
    static QSet<QString> moduleHeaders(const QString &module)
    {
        QSet<QString> names;
        const QDir dir(QLibraryInfo::path(QLibraryInfo::HeadersPath) + u'/' + module);
        for (const QString &f : dir.entryList(QDir::Files)) {
            if (!f.contains(u'.'))
                names.insert(f);
        }
        return names;
    }

private Q_SLOTS:
    void coreIncludesNoWidgetHeaders()
    {
        QVERIFY2(!sourceDir().isEmpty(), "PORTICO_SOURCE_DIR is not set");
        const QSet<QString> widgets = moduleHeaders(QStringLiteral("QtWidgets"));
        const QSet<QString> gui = moduleHeaders(QStringLiteral("QtGui"));
        const QSet<QString> charts = moduleHeaders(QStringLiteral("QtCharts"));
        QVERIFY2(widgets.contains(QStringLiteral("QWidget")), "QtWidgets headers not found: cannot check");

        const QRegularExpression include(QStringLiteral("^\\s*#\\s*include\\s*[<\"]([^>\"]+)[>\"]"),
                                         QRegularExpression::MultilineOption);
        QStringList offenders;
        int files = 0;
        QDirIterator it(sourceDir() + QStringLiteral("/core"), { QStringLiteral("*.h"), QStringLiteral("*.cpp") },
                        QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile f(path);
            QVERIFY(f.open(QIODevice::ReadOnly));
            ++files;
            const QString text = QString::fromUtf8(f.readAll());
            auto m = include.globalMatch(text);
            while (m.hasNext()) {
                const QString header = m.next().captured(1);
                const QString base = header.section(u'/', -1);
                const bool bad = header.startsWith(u"QtWidgets") || header.startsWith(u"QtGui")
                    || header.startsWith(u"QtCharts") || widgets.contains(base) || charts.contains(base)
                    || (gui.contains(base) && !header.contains(u'/'));
                if (bad)
                    offenders << QStringLiteral("%1: #include <%2>").arg(QDir(sourceDir()).relativeFilePath(path), header);
            }
        }
        QVERIFY2(files > 20, "found too few core sources: wrong PORTICO_SOURCE_DIR?");
        QVERIFY2(offenders.isEmpty(), qPrintable(offenders.join(u'\n')));
    }

    void coreLinksNoWidgets()
    {
        QFile f(sourceDir() + QStringLiteral("/core/CMakeLists.txt"));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(f.readAll());
        for (const char *module : { "Qt6::Widgets", "Qt6::Gui", "Qt6::Charts" })
            QVERIFY2(!text.contains(QLatin1String(module)), module);
    }
};

QTEST_GUILESS_MAIN(TestLayering)
#include "tst_layering.moc"
