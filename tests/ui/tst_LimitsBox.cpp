// The Settings page's limits box edits gateway.limits.max_connections and gateway.paths: each
// change is one undoable edit, and the widgets follow the document (undo, reload).
#include "ui/document/WorkspaceDocument.h"
#include "ui/sections/LimitsBox.h"

#include <QCheckBox>
#include <QComboBox>
#include <QSpinBox>
#include <QTest>
#include <QUndoStack>

using namespace portico;
using namespace portico::ui;

class LimitsBoxTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void editsConnectionCapAndPathRules()
    {
        WorkspaceDocument doc;
        LimitsBox box(&doc);
        auto *count = box.findChild<QSpinBox *>(QStringLiteral("maxConnections"));
        auto *merge = box.findChild<QCheckBox *>(QStringLiteral("mergeSlashes"));
        auto *escaped = box.findChild<QComboBox *>(QStringLiteral("escapedSlashes"));
        QVERIFY(count && merge && escaped);
        QCOMPARE(count->value(), 4096);
        QVERIFY(merge->isChecked());
        QCOMPARE(escaped->currentData().toInt(), int(config::PathRules::EscapedSlashes::Keep));

        count->setValue(64);
        Q_EMIT count->editingFinished();
        QCOMPARE(doc.workspace().gateway.limits.maxConnections, 64);

        merge->setChecked(false);
        QVERIFY(!doc.workspace().gateway.paths.mergeSlashes);

        const int reject = escaped->findData(int(config::PathRules::EscapedSlashes::Reject));
        escaped->setCurrentIndex(reject);
        Q_EMIT escaped->activated(reject);
        QCOMPARE(doc.workspace().gateway.paths.escapedSlashes, config::PathRules::EscapedSlashes::Reject);
        QCOMPARE(doc.undoStack()->count(), 3);

        // Undo walks back one edit at a time and the widgets follow.
        doc.undoStack()->undo();
        QCOMPARE(escaped->currentData().toInt(), int(config::PathRules::EscapedSlashes::Keep));
        doc.undoStack()->undo();
        QVERIFY(merge->isChecked());
        doc.undoStack()->undo();
        QCOMPARE(count->value(), 4096);
        QCOMPARE(doc.workspace().gateway.limits.maxConnections, 4096);
    }
};

QTEST_MAIN(LimitsBoxTest)
#include "tst_LimitsBox.moc"
