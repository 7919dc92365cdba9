#pragma once

#include "core/filters/transform/TransformConfig.h"
#include "ui/sections/ItemForm.h"

#include <QWidget>

class QTabWidget;

namespace portico::ui {

class ListEdit;
class RowsEditor;

// A route's request and response transforms: headers set/remove/rename, query set/remove, and
// JSON fields removed from responses.
class TransformsEditor final : public QWidget
{
    Q_OBJECT

public:
    explicit TransformsEditor(QWidget *parent = nullptr);

    void setTransforms(const config::RequestTransform &request, const config::ResponseTransform &response);
    // Keys relative to the route.
    ItemForm::Fields fields() const { return m_fields; }

Q_SIGNALS:
    void requestEdited(const config::RequestTransform &request);
    void responseEdited(const config::ResponseTransform &response);

private:
    RowsEditor *m_reqSet;
    ListEdit *m_reqRemove;
    RowsEditor *m_reqRename;
    RowsEditor *m_querySet;
    ListEdit *m_queryRemove;
    RowsEditor *m_respSet;
    ListEdit *m_respRemove;
    RowsEditor *m_respRename;
    ListEdit *m_jsonRemove;
    config::RequestTransform m_request;
    config::ResponseTransform m_response;
    ItemForm::Fields m_fields;
};

} // namespace portico::ui
