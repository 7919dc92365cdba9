#include "core/filters/transform/TransformFactory.h"

#include "core/filters/transform/RequestTransformFilter.h"
#include "core/filters/transform/ResponseTransformFilter.h"

namespace portico::filters::transform {

FilterList TransformFilters::make(const FilterBuildContext &context, QStringList &errors)
{
    const config::Route &route = context.route;
    const auto fail = [&](const QString &message) {
        errors.append(QStringLiteral("route '%1': %2").arg(route.name, message));
        return FilterList {};
    };
    const Config &config = route.filters.value<Config>();

    FilterList filters;
    if (!config.request.empty()) {
        QString message;
        std::optional<HeaderTransform> headers = HeaderTransform::compile(config.request.headers, &message);
        if (!headers)
            return fail(QStringLiteral("request.") + message);
        filters.push_back(std::make_shared<RequestTransformFilter>(
            std::move(*headers), QueryTransform(config.request.query)));
    }
    if (!config.response.empty()) {
        QString message;
        std::optional<HeaderTransform> headers = HeaderTransform::compile(config.response.headers, &message);
        if (!headers)
            return fail(QStringLiteral("response.") + message);
        std::optional<JsonPathRemover> json = JsonPathRemover::compile(config.response.jsonRemove, &message);
        if (!json)
            return fail(QStringLiteral("response.json.remove: ") + message);
        filters.push_back(std::make_shared<ResponseTransformFilter>(
            std::move(*headers), std::move(*json), context.workspace.gateway.limits.maxBodyBytes));
    }
    return filters;
}

} // namespace portico::filters::transform
