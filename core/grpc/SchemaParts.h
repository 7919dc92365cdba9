#pragma once

// What a Schema owns (Schema.h): the pool, the files it was asked for, and the indexes built
// from them. Included by the loader and by Schema.cpp only.

#include "core/grpc/Schema.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>

#include <QHash>

namespace portico::grpc {

struct Schema::Parts
{
    google::protobuf::DescriptorPool pool;
    QList<const google::protobuf::FileDescriptor *> rootFiles; // the listed files, in order
    QHash<QString, QString> diskFiles; // file name as imported -> absolute .proto path it was read from
    // Filled by Schema's constructor.
    QList<const google::protobuf::ServiceDescriptor *> services;
    QHash<QString, const google::protobuf::MethodDescriptor *> methodsByPath;
    QList<HttpBinding> bindings;
    // GetPrototype() is thread-safe; the prototypes live as long as the factory.
    mutable google::protobuf::DynamicMessageFactory factory { &pool };
};

} // namespace portico::grpc
