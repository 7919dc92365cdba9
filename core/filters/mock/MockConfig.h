#pragma once

// The config of a mock route: its `mock` block. A route's backend (one of upstream, versions,
// aggregate, mock), kept on Route itself; the mock filter answers with it.

#include "core/config/ConfigTypes.h"

namespace YAML {
class Node;
}

namespace portico::config {

class YamlReader;
class ValidationSink;
class TreeWriter;
struct WorkspaceTree;

struct Mock
{
    int status = 200;
    KeyValues headers;
    QString body;
    QString bodyFile; // path as written; resolvePath() for the real path
    Duration delay { 0 };
    bool operator==(const Mock &) const = default;
};

Mock parseMock(YamlReader &r, const YAML::Node &node, const QString &path);
void validateMock(ValidationSink &sink, const Mock &mock, const QString &path);
WorkspaceTree writeMock(const TreeWriter &w, const Mock &mock, const QString &path);

} // namespace portico::config
