// The workspace loader (YAML, and JSON when the text starts with '{') on arbitrary text, and the
// writer's promise on whatever loads: loadWorkspaceText(writeWorkspaceYaml(ws)) gives ws again.
#include "FuzzSupport.h"

#include "core/config/WorkspaceLoader.h"
#include "core/config/WorkspaceWriter.h"

#include <QJsonDocument>

using namespace portico::config;

namespace {

QProcessEnvironment fuzzEnv()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("PORTICO_FUZZ_KEY"), QStringLiteral("k-123"));
    env.insert(QStringLiteral("PORT"), QStringLiteral("8080"));
    return env;
}

bool looksLikeJson(const QByteArray &text)
{
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        return c == '{';
    }
    return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size > 64 * 1024) // the loader is not the place for size limits; keep runs fast
        return 0;
    static const QProcessEnvironment env = fuzzEnv();
    // A folder that does not exist: relative file references never resolve to real files.
    const QByteArray text = portico::fuzz::bytes(data, size);
    const QString name = looksLikeJson(text) ? QStringLiteral("/nonexistent-portico-fuzz/ws.json")
                                             : QStringLiteral("/nonexistent-portico-fuzz/ws.yaml");
    const LoadResult loaded = loadWorkspaceText(text, name, env);
    for (const Diagnostic &d : loaded.errors)
        FUZZ_CHECK(!d.message.isEmpty());
    if (!loaded.ok())
        return 0;

    const QByteArray yaml = writeWorkspaceYaml(*loaded.workspace);
    const LoadResult again
        = loadWorkspaceText(yaml, QStringLiteral("/nonexistent-portico-fuzz/ws.yaml"), env);
    if (!again.ok()) {
        std::fprintf(stderr, "written YAML does not load:\n%s\n", yaml.constData());
        for (const Diagnostic &d : again.errors)
            std::fprintf(stderr, "  %d:%d %s\n", d.line, d.column, qPrintable(d.message));
    }
    FUZZ_CHECK(again.ok());
    if (!(*again.workspace == *loaded.workspace))
        std::fprintf(stderr, "written YAML loads differently:\n%s\n", yaml.constData());
    FUZZ_CHECK(*again.workspace == *loaded.workspace);
    FUZZ_CHECK(writeWorkspaceYaml(*again.workspace) == yaml);
    // GET /config's JSON form must serialise whatever loaded.
    FUZZ_CHECK(!QJsonDocument(workspaceToJson(*loaded.workspace)).toJson().isEmpty());
    return 0;
}
