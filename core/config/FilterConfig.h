#pragma once

// A route's filter configs, as one generic value. Each filter owns its config type in its folder
// (core/filters/<name>/<Name>Config.h): the keys it reads from a route, how it parses them, checks
// them against the workspace and writes them back. core/filters/FilterRegistry.h lists the filters;
// the route parser, the validator, the writer and the filter chain go through that list, so that
// none of them names a filter.
//
// FilterConfigs is a value: copying a Route copies the map of shared, immutable configs; edit<T>()
// copies a config first when another Route still shares it (copy-on-write). Equality compares
// contents, and an empty config (isEmpty()) equals no config, so that "auth: []" and no auth key
// give equal routes, as they did when these were plain fields.

#include <QList>
#include <QString>

#include <memory>
#include <utility>

namespace YAML {
class Node;
}

namespace portico::config {

class YamlReader;
class ValidationSink;
class TreeWriter;
struct WorkspaceTree;
struct Route;

class FilterConfig
{
public:
    virtual ~FilterConfig() = default;
    virtual bool equals(const FilterConfig &other) const = 0;
    virtual std::shared_ptr<FilterConfig> clone() const = 0;
    // An empty config means the same as none (the filter does nothing and nothing is written).
    virtual bool isEmpty() const { return false; }
    // Adds the issues of this config on `route`, found at `routePath` ("routes[2]").
    virtual void validate(ValidationSink &sink, const Route &route, const QString &routePath) const = 0;
    // Inserts this config's keys into the route's tree (in the file's key order).
    virtual void write(const TreeWriter &writer, const QString &routePath, WorkspaceTree &route) const = 0;

protected:
    FilterConfig() = default;
    FilterConfig(const FilterConfig &) = default;
    FilterConfig &operator=(const FilterConfig &) = default;
};

// The usual base of a filter config T: equality and cloning from T's own operator== and copy.
// T also provides: static constexpr const char *kName (the filter's registry name),
// static const QStringList &routeKeys() and static void parse(YamlReader &, const QString &key,
// const YAML::Node &, const QString &path, FilterConfigs &) for each of those keys.
template<class T> class FilterConfigBase : public FilterConfig
{
public:
    bool equals(const FilterConfig &other) const override
    {
        const T *t = dynamic_cast<const T *>(&other);
        return t && *t == static_cast<const T &>(*this);
    }
    std::shared_ptr<FilterConfig> clone() const override
    {
        return std::make_shared<T>(static_cast<const T &>(*this));
    }
    bool operator==(const FilterConfigBase &) const { return true; }
};

class FilterConfigs
{
public:
    // The config of filter T, or null when the route has none.
    template<class T> const T *get() const { return static_cast<const T *>(find(QLatin1String(T::kName))); }
    // The config of filter T, or a default (empty) one.
    template<class T> const T &value() const
    {
        static const T empty;
        const T *t = get<T>();
        return t ? *t : empty;
    }
    // The config of filter T to change, created when missing, copied when shared.
    template<class T> T &edit()
    {
        if (FilterConfig *c = editable(QLatin1String(T::kName)))
            return static_cast<T &>(*c);
        auto t = std::make_shared<T>();
        T &ref = *t;
        set(QLatin1String(T::kName), std::move(t));
        return ref;
    }
    template<class T> void remove() { remove(QLatin1String(T::kName)); }

    const FilterConfig *find(QLatin1String name) const;
    void set(QLatin1String name, std::shared_ptr<FilterConfig> config);
    void remove(QLatin1String name);
    bool isEmpty() const; // no config, or only empty ones

    bool operator==(const FilterConfigs &other) const;

private:
    FilterConfig *editable(QLatin1String name);

    // By name; the order is the registry's, not this list's.
    QList<std::pair<QString, std::shared_ptr<const FilterConfig>>> m_items;
};

} // namespace portico::config
