#include "core/filters/transform/TransformFactory.h"

#include "core/filters/transform/RequestTransformFilter.h"
#include "core/filters/transform/ResponseTransformFilter.h"

namespace portico::filters {

std::vector<FilterPtr> makeTransformFilters(
    const config::Workspace &workspace, const config::Route &route, FilterServices &, QString *error)
{
    const auto fail = [&](const QString &message) {
        if (error)
            *error = QStringLiteral("route '%1': %2").arg(route.name, message);
        return std::vector<FilterPtr> {};
    };
    if (error)
        error->clear();

    std::vector<FilterPtr> filters;
    if (!route.request.empty()) {
        QString message;
        std::optional<HeaderTransform> headers = HeaderTransform::compile(route.request.headers, &message);
        if (!headers)
            return fail(QStringLiteral("request.") + message);
        filters.push_back(std::make_shared<RequestTransformFilter>(
            std::move(*headers), QueryTransform(route.request.query)));
    }
    if (!route.response.empty()) {
        QString message;
        std::optional<HeaderTransform> headers = HeaderTransform::compile(route.response.headers, &message);
        if (!headers)
            return fail(QStringLiteral("response.") + message);
        std::optional<JsonPathRemover> json = JsonPathRemover::compile(route.response.jsonRemove, &message);
        if (!json)
            return fail(QStringLiteral("response.json.remove: ") + message);
        filters.push_back(std::make_shared<ResponseTransformFilter>(
            std::move(*headers), std::move(*json), workspace.gateway.limits.maxBodyBytes));
    }
    return filters;
}

} // namespace portico::filters
