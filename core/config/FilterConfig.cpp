#include "core/config/FilterConfig.h"

#include <algorithm>

namespace portico::config {

const FilterConfig *FilterConfigs::find(QLatin1String name) const
{
    for (const auto &[key, config] : m_items) {
        if (key == name)
            return config.get();
    }
    return nullptr;
}

void FilterConfigs::set(QLatin1String name, std::shared_ptr<FilterConfig> config)
{
    for (auto &[key, existing] : m_items) {
        if (key == name) {
            existing = std::move(config);
            return;
        }
    }
    m_items.append({ QString(name), std::move(config) });
}

void FilterConfigs::remove(QLatin1String name)
{
    m_items.removeIf([&](const auto &item) { return item.first == name; });
}

FilterConfig *FilterConfigs::editable(QLatin1String name)
{
    for (auto &[key, config] : m_items) {
        if (key != name)
            continue;
        if (config.use_count() > 1)
            config = config->clone();
        // Every config is created non-const (make_shared<T> in edit() or clone()); only this
        // FilterConfigs holds it now, so changing it changes no other route.
        return const_cast<FilterConfig *>(config.get());
    }
    return nullptr;
}

bool FilterConfigs::isEmpty() const
{
    return std::all_of(
        m_items.begin(), m_items.end(), [](const auto &item) { return item.second->isEmpty(); });
}

bool FilterConfigs::operator==(const FilterConfigs &other) const
{
    auto covers = [](const FilterConfigs &a, const FilterConfigs &b) {
        for (const auto &[key, config] : a.m_items) {
            const FilterConfig *theirs = b.find(QLatin1String(key.toLatin1()));
            if (config.get() == theirs)
                continue;
            if (!theirs ? !config->isEmpty() : !config->equals(*theirs))
                return false;
        }
        return true;
    };
    return covers(*this, other) && covers(other, *this);
}

} // namespace portico::config
