#pragma once

#include "ui/sections/ItemForm.h"

class QLineEdit;

namespace portico::ui {

class RateLimitBox;

// One tier: a name and the rate limit every consumer on it gets.
class TierForm final : public ItemForm
{
    Q_OBJECT

public:
    explicit TierForm(WorkspaceDocument *document, QWidget *parent = nullptr);

    QLineEdit *nameEdit() const { return m_name; }
    RateLimitBox *rateLimitBox() const { return m_limit; }

protected:
    void load(const config::Workspace &ws, int row) override;

private:
    QLineEdit *m_name;
    RateLimitBox *m_limit;
};

} // namespace portico::ui
