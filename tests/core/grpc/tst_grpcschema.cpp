// grpc::loadSchema on real .proto files and descriptor sets (tests/data/grpc): services, method
// lookup by gRPC path, google.api.http bindings, well-known types, and schemas that are broken
// in every way a user's can be (each reported at its place in the .proto file).
#include "core/grpc/Schema.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace portico::grpc;

class TestGrpcSchema : public QObject
{
    Q_OBJECT

private:
    QString data(const QString &rel) const
    {
        return qEnvironmentVariable("PORTICO_SOURCE_DIR") + QStringLiteral("/tests/data/grpc/") + rel;
    }
    SchemaLoadResult loadUsers() const
    {
        return loadSchema({ data("protos/demo/users/v1/users.proto") }, { data("protos") });
    }
    QTemporaryDir m_dir;
    QString write(const QString &name, const QByteArray &text)
    {
        QFile f(m_dir.filePath(name));
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(text);
        return f.fileName();
    }
    static QString firstError(const SchemaLoadResult &r)
    {
        if (r.errors.isEmpty())
            return QStringLiteral("<none>");
        const SchemaError &e = r.errors.first();
        return QStringLiteral("%1:%2:%3: %4").arg(e.file).arg(e.line).arg(e.column).arg(e.message);
    }

private Q_SLOTS:
    void servicesMethodsAndBindings()
    {
        const SchemaLoadResult r = loadUsers();
        QVERIFY2(r.schema, qPrintable(firstError(r)));
        QCOMPARE(r.schema->services().size(), 1);
        const auto *users = r.schema->services().first();
        QCOMPARE(QString::fromStdString(users->full_name()), QStringLiteral("demo.users.v1.Users"));
        QCOMPARE(r.schema->findService("demo.users.v1.Users"), users);
        QCOMPARE(r.schema->findService("Users"), users); // the short name, when only one service has it
        QCOMPARE(r.schema->findService("Nope"), nullptr);

        const auto *get = r.schema->findMethodByPath("/demo.users.v1.Users/GetUser");
        QVERIFY(get);
        QCOMPARE(QString::fromStdString(get->input_type()->full_name()),
            QStringLiteral("demo.users.v1.GetUserRequest"));
        QVERIFY(!r.schema->findMethodByPath("/demo.users.v1.Users/Nope"));
        QVERIFY(!r.schema->findMethodByPath("demo.users.v1.Users/GetUser"));
        QVERIFY(!r.schema->findMethodByPath(""));

        const QList<HttpBinding> getBindings = r.schema->httpBindings(get);
        QCOMPARE(getBindings.size(), 2);
        QCOMPARE(getBindings[0].verb, QStringLiteral("GET"));
        QCOMPARE(getBindings[0].pattern, QStringLiteral("/v1/users/{id}"));
        QVERIFY(!getBindings[0].additional);
        QCOMPARE(getBindings[1].pattern, QStringLiteral("/v1/users:byEmail"));
        QVERIFY(getBindings[1].additional);

        const auto *create = r.schema->findMethodByPath("/demo.users.v1.Users/CreateUser");
        QCOMPARE(r.schema->httpBindings(create).first().body, QStringLiteral("user"));
        const auto *purge = r.schema->findMethodByPath("/demo.users.v1.Users/Purge");
        QCOMPARE(r.schema->httpBindings(purge).first().verb, QStringLiteral("PURGE")); // custom pattern
        QVERIFY(r.schema->httpBindings(r.schema->findMethodByPath("/demo.users.v1.Users/Chat")).isEmpty());
        QCOMPARE(r.schema->httpBindings().size(), 4);
    }

    void decodesWithWellKnownTypes()
    {
        const SchemaLoadResult r = loadUsers();
        QVERIFY(r.schema);
        const auto *user = r.schema->pool().FindMessageTypeByName("demo.users.v1.User");
        QVERIFY(user);
        // name "bob", id 7, role ROLE_ADMIN, created {seconds: 1}
        const QByteArray bytes = QByteArray::fromHex("0a03626f62100718012202"
                                                     "0801");
        const auto json = r.schema->toJson(user, bytes);
        QVERIFY(json);
        QCOMPARE(*json,
            QByteArray(R"({"name":"bob","id":"7","role":"ROLE_ADMIN","created":"1970-01-01T00:00:01Z"})"));
        QCOMPARE(r.schema->toJson(user, QByteArray()), std::optional<QByteArray>("{}"));
    }

    void notProtobufIsNoJson()
    {
        const SchemaLoadResult r = loadUsers();
        QVERIFY(r.schema);
        const auto *user = r.schema->pool().FindMessageTypeByName("demo.users.v1.User");
        QVERIFY(!r.schema->toJson(user, "hello")); // end-group tag with no group
        QVERIFY(!r.schema->toJson(user, QByteArray::fromHex("0a05626f"))); // length beyond the bytes
        QVERIFY(!r.schema->toJson(user, QByteArray::fromHex("10ffffffffffffffffffff01"))); // varint too long
        QVERIFY(!r.schema->toJson(nullptr, "x"));
        // A type from another pool is refused, not read with the wrong factory.
        QVERIFY(!r.schema->toJson(google::protobuf::FileDescriptorProto::descriptor(), QByteArray()));
    }

    void descriptorSet()
    {
        // A descriptor set written from the compiled schema (as protoc --include_imports would).
        const SchemaLoadResult r = loadUsers();
        QVERIFY(r.schema);
        google::protobuf::FileDescriptorSet set;
        QSet<QString> seen;
        std::function<void(const google::protobuf::FileDescriptor *)> add = [&](const auto *f) {
            if (seen.contains(QString::fromStdString(f->name())))
                return;
            seen.insert(QString::fromStdString(f->name()));
            for (int i = 0; i < f->dependency_count(); ++i)
                add(f->dependency(i));
            f->CopyTo(set.add_file());
        };
        add(r.schema->services().first()->file());
        const QString pb = write("users.pb", QByteArray::fromStdString(set.SerializeAsString()));
        const SchemaLoadResult fromSet = loadSchema({ pb }, {});
        QVERIFY2(fromSet.schema, qPrintable(firstError(fromSet)));
        QVERIFY(fromSet.schema->findMethodByPath("/demo.users.v1.Users/GetUser"));
        QCOMPARE(fromSet.schema->httpBindings().size(), 4);

        const QString garbage = write("garbage.pb", "\xff\xff\xff not a descriptor set");
        const SchemaLoadResult bad = loadSchema({ garbage }, {});
        QVERIFY(!bad.schema);
        QVERIFY(firstError(bad).contains("not a protobuf FileDescriptorSet"));
    }

    void brokenSchemas_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("expected"); // "LINE:COL: message start"
        QTest::newRow("syntax error") << "bad/syntax.proto"
                                      << "bad/syntax.proto:5:3: Expected \";\".";
        QTest::newRow("import cycle") << "bad/cycle_a.proto"
                                      << "bad/cycle_a.proto:3:1: File recursively imports itself: "
                                         "cycle_a.proto -> cycle_b.proto -> cycle_a.proto";
        QTest::newRow("missing import")
            << "bad/missing_import.proto"
            << "nowhere/gone.proto:0:0: file not found (imported as 'nowhere/gone.proto'";
        QTest::newRow("unknown type") << "bad/unknown_type.proto"
                                      << "bad/unknown_type.proto:3:13: \"Nope\" is not defined.";
        QTest::newRow("no such file") << "bad/none.proto"
                                      << "bad/none.proto:0:0: cannot read the schema";
    }

    void brokenSchemas()
    {
        QFETCH(QString, file);
        QFETCH(QString, expected);
        const SchemaLoadResult r = loadSchema({ data(file) }, {});
        QVERIFY(!r.schema);
        QVERIFY2(firstError(r).contains(expected), qPrintable(firstError(r)));
    }

    void missingImportNamesTheImporter()
    {
        const SchemaLoadResult r = loadSchema({ data("bad/missing_import.proto") }, {});
        bool found = false;
        for (const SchemaError &e : r.errors)
            found = found
                || (e.file == data("bad/missing_import.proto") && e.line == 3
                    && e.message.contains("nowhere/gone.proto"));
        QVERIFY(found);
    }

    void hostileText()
    {
        // Binary junk, a NUL, an unterminated string and a huge field number: errors, no crash.
        const QList<QByteArray> texts { QByteArray("\0\0\xff\xfe", 4), "syntax = \"proto3",
            "syntax = \"proto3\"; message M { int32 x = 536870912; }",
            "syntax = \"proto3\"; import \"../../../../etc/passwd\";",
            "syntax = \"proto3\"; message M { M m = 1; repeated M n = 2; }" };
        int i = 0;
        for (const QByteArray &text : texts) {
            const QString f = write(QStringLiteral("hostile%1.proto").arg(i++), text);
            const SchemaLoadResult r = loadSchema({ f }, {});
            if (i == 5) // a recursive message is fine
                QVERIFY2(r.schema, qPrintable(firstError(r)));
            else
                QVERIFY2(!r.schema && !r.errors.isEmpty(), qPrintable(text));
        }
    }

    void builtinsAreImportable()
    {
        const QString f = write("wkt.proto",
            "syntax = \"proto3\"; package w;\n"
            "import \"google/protobuf/any.proto\"; import \"google/protobuf/duration.proto\";\n"
            "import \"google/protobuf/empty.proto\"; import \"google/protobuf/field_mask.proto\";\n"
            "import \"google/protobuf/struct.proto\"; import \"google/protobuf/wrappers.proto\";\n"
            "import \"google/api/http.proto\";\n"
            "message W { google.protobuf.Any a = 1; google.protobuf.Duration d = 2; google.protobuf.Struct s "
            "= 3;\n"
            "  google.protobuf.StringValue v = 4; google.protobuf.FieldMask m = 5; google.api.HttpRule r = "
            "6; }\n"
            "service S { rpc Ping(google.protobuf.Empty) returns (W); }\n");
        const SchemaLoadResult r = loadSchema({ f }, {});
        QVERIFY2(r.schema, qPrintable(firstError(r)));
        QVERIFY(r.schema->findMethodByPath("/w.S/Ping"));
    }
};

QTEST_GUILESS_MAIN(TestGrpcSchema)
#include "tst_grpcschema.moc"
