#pragma once

// The query and request-target helpers of Replayer.cpp: a captured query split into its
// name=value parts (text kept as captured), and the options' overrides merged into it.

#include "core/capture/Replayer.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace portico::capture::replay_detail {

// One name=value part of a query, its text kept as captured (re-encoding could change it).
struct QueryPart
{
    QByteArray text;
    QString name; // decoded ('+' is a space in form-style queries)
    bool redacted = false;
};

QList<QueryPart> queryParts(const QString &encodedQuery);

// The request-target as captured: path and query (encoded). The separate path and query fields
// are what the client sent; the URL's authority is the client's Host, and a Host with a '/' in
// it would shift the path, so the URL is read only for rows without a path (old imports).
struct CapturedTarget
{
    QString path;
    QString query;
};

CapturedTarget capturedTarget(const Exchange &e);

// The options' query parameters, then the target's (a later one of the same name wins).
QList<QueryPart> overrideParts(const ReplayOptions &options);

// The captured parameters without those the overrides name, then the overrides.
QList<QueryPart> mergedQuery(const QString &originalQuery, const ReplayOptions &options);

} // namespace portico::capture::replay_detail
