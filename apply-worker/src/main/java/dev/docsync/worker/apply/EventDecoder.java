package dev.docsync.worker.apply;

import dev.docsync.contracts.OperationEvent;

/** Reads an operation event from a record's value; throws for a value that is not one this worker reads. */
@FunctionalInterface
public interface EventDecoder {

    OperationEvent decode(byte[] value);
}
