// loadSchema(): .proto files through libprotoc's parser and descriptor sets through libprotobuf,
// into one pool (Schema.h). Imports are found under the proto paths, then beside the listed
// files, then among the built-in files: google/api/{annotations,http}.proto (BuiltinProtos.cpp)
// and the well-known types, which come from the descriptors compiled into libprotobuf itself (so
// an installed Portico needs no .proto files of Debian's -dev packages).
#include "core/grpc/SchemaParts.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/api.pb.h>
#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/duration.pb.h>
#include <google/protobuf/empty.pb.h>
#include <google/protobuf/field_mask.pb.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/source_context.pb.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/timestamp.pb.h>
#include <google/protobuf/type.pb.h>
#include <google/protobuf/wrappers.pb.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QtGlobal>

#include <cstring>
#include <mutex>

namespace portico::grpc {

namespace gp = google::protobuf;

namespace {

constexpr qint64 kMaxSchemaFileBytes = 64 << 20;

std::string toStd(const QString &s)
{
    return s.toStdString();
}

// The disk first (a workspace may bring its own copy of any file), then the built-in google/api files.
class SourceTree : public gp::compiler::SourceTree
{
public:
    gp::compiler::DiskSourceTree disk;

    gp::io::ZeroCopyInputStream *Open(const std::string &filename) override
    {
        if (auto *stream = disk.Open(filename))
            return stream;
        if (const char *text = builtinProto(QString::fromStdString(filename)))
            return new gp::io::ArrayInputStream(text, int(std::strlen(text)));
        m_error = disk.GetLastErrorMessage();
        return nullptr;
    }
    std::string GetLastErrorMessage() override { return m_error; }

private:
    std::string m_error;
};

class ErrorCollector : public gp::compiler::MultiFileErrorCollector
{
public:
    ErrorCollector(SourceTree &tree, QList<SchemaError> &errors)
        : m_tree(tree)
        , m_errors(errors)
    {
    }

    void AddError(const std::string &filename, int line, int column, const std::string &message) override
    {
        std::string disk;
        QString file = QString::fromStdString(filename);
        if (m_tree.disk.VirtualFileToDiskFile(filename, &disk))
            file = QDir::cleanPath(QString::fromStdString(disk));
        const bool placed = line >= 0;
        QString text = QString::fromStdString(message);
        if (!placed && text == u"File not found.")
            text = QStringLiteral(
                "file not found (imported as '%1'; searched the proto paths and the built-in files)")
                       .arg(QString::fromStdString(filename));
        m_errors.append(SchemaError { file, placed ? line + 1 : 0, placed ? column + 1 : 0, text });
    }

private:
    SourceTree &m_tree;
    QList<SchemaError> &m_errors;
};

// The well-known types as libprotobuf was compiled with them.
void addWellKnownTypes(gp::SimpleDescriptorDatabase &db)
{
    const gp::Descriptor *anchors[] = { gp::Any::descriptor(), gp::Api::descriptor(),
        gp::Duration::descriptor(), gp::Empty::descriptor(), gp::FieldMask::descriptor(),
        gp::SourceContext::descriptor(), gp::Struct::descriptor(), gp::Timestamp::descriptor(),
        gp::Type::descriptor(), gp::DoubleValue::descriptor(), gp::FileDescriptorProto::descriptor() };
    for (const gp::Descriptor *d : anchors) {
        gp::FileDescriptorProto proto;
        d->file()->CopyTo(&proto);
        db.Add(proto);
    }
}

bool isDescriptorSet(const QString &path)
{
    return path.endsWith(QStringLiteral(".pb")) || path.endsWith(QStringLiteral(".desc"))
        || path.endsWith(QStringLiteral(".protoset"));
}

// Copies `file` and its imports (imports first) into `into`, once each.
bool copyInto(const gp::FileDescriptor *file, gp::DescriptorPool &into, QSet<QString> &done)
{
    const QString name = QString::fromStdString(file->name());
    if (done.contains(name))
        return true;
    done.insert(name);
    for (int i = 0; i < file->dependency_count(); ++i) {
        if (!copyInto(file->dependency(i), into, done))
            return false;
    }
    gp::FileDescriptorProto proto;
    file->CopyTo(&proto);
    return into.BuildFile(proto) != nullptr;
}

// libprotobuf writes its own log lines to stderr; its warnings about a schema (no syntax line,
// unused imports) say nothing the diagnostics do not, and its errors go to Qt's log.
void quietLibprotobuf()
{
    static std::once_flag once;
    std::call_once(once, [] {
        gp::SetLogHandler([](gp::LogLevel level, const char *file, int line, const std::string &message) {
            if (level >= gp::LOGLEVEL_ERROR)
                qWarning("libprotobuf %s:%d: %s", file, line, message.c_str());
        });
    });
}

} // namespace

SchemaLoadResult loadSchema(const QStringList &protos, const QStringList &protoPaths)
{
    quietLibprotobuf();
    SchemaLoadResult result;
    SourceTree tree;
    for (const QString &dir : protoPaths)
        tree.disk.MapPath("", toStd(QDir::cleanPath(QFileInfo(dir).absoluteFilePath())));
    // A listed file outside every proto path imports relative to its own folder, as protoc would
    // with -I set to that folder.
    QStringList extraDirs;
    for (const QString &p : protos) {
        const QString dir = QFileInfo(p).absolutePath();
        if (!isDescriptorSet(p) && !extraDirs.contains(dir))
            extraDirs.append(dir);
    }

    gp::SimpleDescriptorDatabase setDb;
    gp::SimpleDescriptorDatabase wellKnown;
    addWellKnownTypes(wellKnown);
    gp::MergedDescriptorDatabase fallback(&setDb, &wellKnown);
    gp::compiler::SourceTreeDescriptorDatabase sourceDb(&tree, &fallback);
    ErrorCollector collector(tree, result.errors);
    sourceDb.RecordErrorsTo(&collector);

    std::vector<std::string> roots;
    for (const QString &p : protos) {
        const QString path = QDir::cleanPath(QFileInfo(p).absoluteFilePath());
        QFile file(path);
        // A schema is kilobytes; a huge file named by mistake (or a device) is not read whole.
        if (QFileInfo(path).size() > kMaxSchemaFileBytes) {
            result.errors.append(SchemaError { path, 0, 0,
                QStringLiteral("larger than %1 MiB: not a schema").arg(kMaxSchemaFileBytes >> 20) });
            continue;
        }
        if (!file.open(QIODevice::ReadOnly)) {
            result.errors.append(SchemaError {
                path, 0, 0, QStringLiteral("cannot read the schema: %1").arg(file.errorString()) });
            continue;
        }
        if (isDescriptorSet(path)) {
            gp::FileDescriptorSet set;
            const QByteArray bytes = file.readAll();
            if (!set.ParseFromArray(bytes.constData(), int(bytes.size()))) {
                result.errors.append(SchemaError { path, 0, 0,
                    QStringLiteral("not a protobuf FileDescriptorSet (write one with protoc "
                                   "--include_imports --descriptor_set_out=FILE)") });
                continue;
            }
            for (const gp::FileDescriptorProto &f : set.file()) {
                gp::FileDescriptorProto existing;
                if (setDb.FindFileByName(f.name(), &existing)) {
                    if (existing.SerializeAsString() != f.SerializeAsString())
                        result.errors.append(SchemaError { path, 0, 0,
                            QStringLiteral("'%1' is defined differently in another descriptor set")
                                .arg(QString::fromStdString(f.name())) });
                    continue;
                }
                setDb.Add(f);
                roots.push_back(f.name());
            }
            continue;
        }
        std::string virtualName;
        std::string shadow;
        auto mapped = tree.disk.DiskFileToVirtualFile(toStd(path), &virtualName, &shadow);
        if (mapped == gp::compiler::DiskSourceTree::NO_MAPPING) {
            for (const QString &dir : std::as_const(extraDirs))
                tree.disk.MapPath("", toStd(dir));
            extraDirs.clear();
            mapped = tree.disk.DiskFileToVirtualFile(toStd(path), &virtualName, &shadow);
        }
        if (mapped == gp::compiler::DiskSourceTree::SHADOWED) {
            result.errors.append(SchemaError { path, 0, 0,
                QStringLiteral("shadowed by %1, which has the same name under an earlier proto path")
                    .arg(QString::fromStdString(shadow)) });
            continue;
        }
        if (mapped != gp::compiler::DiskSourceTree::SUCCESS) {
            result.errors.append(SchemaError { path, 0, 0, QStringLiteral("cannot read the schema") });
            continue;
        }
        roots.push_back(virtualName);
    }
    if (!result.errors.isEmpty())
        return result;

    gp::DescriptorPool loading(&sourceDb, sourceDb.GetValidationErrorCollector());
    std::vector<const gp::FileDescriptor *> files;
    for (const std::string &name : roots) {
        const gp::FileDescriptor *file = loading.FindFileByName(name);
        if (!file && result.errors.isEmpty())
            result.errors.append(SchemaError {
                QString::fromStdString(name), 0, 0, QStringLiteral("the schema did not load") });
        if (file && std::find(files.begin(), files.end(), file) == files.end())
            files.push_back(file);
    }
    if (!result.errors.isEmpty())
        return result;

    // The schema keeps a pool of its own, complete and without a database behind it: lookups never
    // load anything, so threads share it without locks.
    auto parts = std::make_unique<Schema::Parts>();
    QSet<QString> done;
    for (const gp::FileDescriptor *file : files) {
        if (!copyInto(file, parts->pool, done)) {
            result.errors.append(SchemaError { QString::fromStdString(file->name()), 0, 0,
                QStringLiteral("the schema could not be rebuilt") });
            return result;
        }
        parts->rootFiles.append(parts->pool.FindFileByName(file->name()));
    }
    for (const QString &name : std::as_const(done)) {
        std::string disk;
        if (tree.disk.VirtualFileToDiskFile(toStd(name), &disk))
            parts->diskFiles.insert(
                name, QDir::cleanPath(QFileInfo(QString::fromStdString(disk)).absoluteFilePath()));
    }
    result.schema = std::make_shared<const Schema>(std::move(parts));
    return result;
}

} // namespace portico::grpc
