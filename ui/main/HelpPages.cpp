#include "ui/main/HelpPages.h"

#include "core/capture/FilterExpression.h"

#include <QAbstractButton>
#include <QAction>
#include <QDialog>
#include <QFile>
#include <QMenu>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace portico::ui {

namespace {

QString plain(QString text)
{
    // Menu mnemonics: "&&" is a literal '&', a lone '&' marks the next letter.
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    return text.remove(QStringLiteral("…")).trimmed();
}

QString cell(QString text)
{
    return text.replace(u'|', QStringLiteral("\\|"));
}

} // namespace

void HelpPages::addTo(QMenu *menu, QWidget *window)
{
    QAction *docs = menu->addAction(QObject::tr("&Documentation"));
    docs->setShortcut(QKeySequence::HelpContents);
    QObject::connect(docs, &QAction::triggered, window,
        [window] { show(window, QObject::tr("Portico Documentation"), documentation()); });
    QAction *keys = menu->addAction(QObject::tr("&Keyboard Shortcuts"));
    QObject::connect(keys, &QAction::triggered, window,
        [window] { show(window, QObject::tr("Keyboard Shortcuts"), shortcuts(window)); });
    QAction *filters = menu->addAction(QObject::tr("&Filter Language"));
    QObject::connect(filters, &QAction::triggered, window,
        [window] { show(window, QObject::tr("Traffic Filter Language"), filterLanguage()); });
    menu->addSeparator();
}

QString HelpPages::documentation()
{
    QFile guide(QStringLiteral(":/help/getting-started.md"));
    QString text = guide.open(QIODevice::ReadOnly) ? QString::fromUtf8(guide.readAll()) : QString();
    text += QObject::tr(
        "\n\n## More\n\nInstalled with Portico in `/usr/share/doc/portico/`: this guide "
        "(`getting-started.md`), the annotated example workspace (`portico.example.yaml`, every key "
        "with its meaning) and what the nginx export maps and loses (`nginx-mapping.md`). "
        "`man portico` and `man portico-cli` list the command-line options. Help → Keyboard Shortcuts "
        "and Help → Filter Language are the other references.\n");
    return text;
}

QString HelpPages::shortcuts(const QWidget *window)
{
    QList<std::pair<QString, QString>> rows; // key, what
    auto add = [&rows](const QKeySequence &key, const QString &what) {
        if (key.isEmpty() || what.isEmpty())
            return;
        const std::pair<QString, QString> row { key.toString(QKeySequence::NativeText), what };
        if (!rows.contains(row))
            rows.append(row);
    };
    for (const QAction *a : window->findChildren<QAction *>())
        add(a->shortcut(), plain(a->text()));
    for (const QAbstractButton *b : window->findChildren<QAbstractButton *>())
        add(b->shortcut(), plain(b->toolTip().isEmpty() ? b->text() : b->toolTip()));
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) { return a.second < b.second; });
    QString text = QObject::tr("| Keys | Does |\n|---|---|\n");
    for (const auto &[key, what] : rows)
        text += QStringLiteral("| %1 | %2 |\n").arg(cell(key), cell(what));
    text += QObject::tr("\nIn the traffic table, the single-letter keys act on the selected rows.\n");
    return text;
}

QString HelpPages::filterLanguage()
{
    QString text = QObject::tr(
        "The Traffic filter bar, `portico-cli traffic --filter` and the admin API's `?filter=` "
        "share one language.\n\n"
        "| Write | Matches |\n|---|---|\n"
        "| `method:POST` | the method |\n"
        "| `status:404`, `status:>=500`, `status:4xx` | a status, a comparison, a class |\n"
        "| `route:users`, `consumer:alice`, `upstream:users-v1` | exactly that name (`*` and `?` "
        "are wildcards) |\n"
        "| `host:api.local`, `path:/api/users*` | the Host, the path |\n"
        "| `duration:>200ms` | slower than 200 ms (also `<1.5s`, `>=2m`) |\n"
        "| `trace:4bf9…` | one distributed trace |\n"
        "| `error:true` | no response (connection failed, timed out) |\n"
        "| `body:\"needle\"` | text in a request or response body |\n"
        "| `header:x-request-id`, `header:name=value` | a header present, or with that value |\n"
        "| `sample:true` | rows of Send Sample Traffic (`-sample:true` hides them) |\n"
        "| `word` | the word anywhere in the URL |\n\n"
        "Terms separated by spaces must all hold; `a | b` means either; `-term` negates; quote "
        "values with spaces: `consumer:\"ops team\"`.\n\n"
        "Every field: ");
    QStringList fields;
    for (const QString &f : capture::FilterExpression::fieldNames())
        fields << QLatin1Char('`') + f + QLatin1Char('`');
    text += fields.join(QStringLiteral(", ")) + QStringLiteral(".\n");
    return text;
}

void HelpPages::show(QWidget *parent, const QString &title, const QString &markdown)
{
    const QString name = QStringLiteral("help:") + title;
    auto *dialog = parent->findChild<QDialog *>(name, Qt::FindDirectChildrenOnly);
    if (!dialog) {
        dialog = new QDialog(parent);
        dialog->setObjectName(name);
        dialog->setWindowTitle(title);
        auto *browser = new QTextBrowser(dialog);
        browser->setOpenExternalLinks(true);
        auto *layout = new QVBoxLayout(dialog);
        layout->addWidget(browser);
        dialog->resize(680, 560);
    }
    dialog->findChild<QTextBrowser *>()->setMarkdown(markdown);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

} // namespace portico::ui
