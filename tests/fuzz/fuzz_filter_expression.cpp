// The capture filter language (GUI filter bar, `traffic --filter`, admin `?filter=`) on arbitrary
// text. What parses must give SQL that SQLite accepts against the real capture schema, with as
// many bound values as placeholders: values are bound, never spliced.
#include "FuzzSupport.h"

#include "core/capture/FilterExpression.h"
#include "core/capture/Schema.h"

#include <QCoreApplication>
#include <QSqlError>
#include <QSqlQuery>

using namespace portico::capture;

namespace {

QSqlDatabase *g_db = nullptr;

void bindAll(QSqlQuery &q, const QVariantList &values)
{
    for (int i = 0; i < values.size(); ++i)
        q.bindValue(i, values[i]);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv); // the QSQLITE plugin loads through it
    QString error;
    static QSqlDatabase db = schema::open(QStringLiteral(":memory:"), QStringLiteral("fuzz"), true, &error);
    if (!db.isValid()) {
        std::fprintf(stderr, "cannot open the capture schema: %s\n", qPrintable(error));
        std::abort();
    }
    g_db = &db;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 4096)
        return 0;
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    FilterError error;
    const auto filter = FilterExpression::parse(text, &error);
    if (!filter) {
        FUZZ_CHECK(!error.message.isEmpty());
        FUZZ_CHECK(error.column >= 1);
        return 0;
    }
    const QString sql = filter->sql();
    FUZZ_CHECK(sql.count(u'?') >= filter->bindings().size());

    QSqlQuery q(*g_db);
    FUZZ_CHECK(q.prepare(QStringLiteral("SELECT count(*) FROM exchanges e WHERE %1").arg(sql)));
    bindAll(q, filter->bindings());
    if (!q.exec()) {
        std::fprintf(stderr, "filter %s gave SQL SQLite refuses: %s\n  %s\n", qPrintable(text),
            qPrintable(q.lastError().text()), qPrintable(sql));
        std::abort();
    }
    for (const FilterExpression::Group &g : filter->groups()) {
        QSqlQuery part(*g_db);
        FUZZ_CHECK(part.prepare(QStringLiteral("SELECT count(*) FROM exchanges e WHERE %1").arg(g.sql)));
        bindAll(part, g.bindings);
        FUZZ_CHECK(part.exec());
    }
    return 0;
}
