import { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { PaddockError } from '../core/errors.js';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Request bodies as the hosted API takes them, with the error codes the SDK maps to classes:
 * a `Content-Encoding` of gzip, deflate or br is decoded (its decoded size bound by the body
 * limit: 413 `request_body_too_large_after_decoding`), any other encoding is 400
 * `request_body_encoding_unsupported`, a body that does not decode is 400
 * `request_body_encoding_invalid`, and a JSON body in a charset other than UTF-8 is 400
 * `unsupported_charset`. Multipart uploads are streamed by their own parser and take no encoding.
 */
export function registerRequestEncoding(app: FastifyInstance, bodyLimitBytes: number): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
    const charset = /;\s*charset="?([^";\s]+)"?/.exec(contentType)?.[1];
    if (contentType.startsWith('application/json') && charset && charset !== 'utf-8' && charset !== 'utf8')
      throw new PaddockError(
        'invalid_request',
        `content-type: charset ${charset} is not supported; send UTF-8`,
        {
          errorCode: 'unsupported_charset',
        },
      );
    const encoding = String(request.headers['content-encoding'] ?? '')
      .trim()
      .toLowerCase();
    if (encoding === '' || encoding === 'identity') return payload;
    const decoder = DECODERS[encoding];
    if (!decoder || contentType.startsWith('multipart/'))
      throw new PaddockError(
        'invalid_request',
        `content-encoding: ${encoding} is not supported${decoder ? ' on multipart uploads' : '; send gzip, deflate, br or none'}`,
        { errorCode: 'request_body_encoding_unsupported' },
      );
    return decoded(payload, decoder(), bodyLimitBytes);
  });
}

/** The decoded body, its encoded length recorded (Fastify checks it against content-length). */
function decoded(payload: NodeJS.ReadableStream, decoder: Transform, limit: number): NodeJS.ReadableStream {
  let encodedLength = 0;
  let decodedLength = 0;
  const bounded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      decodedLength += chunk.length;
      if (decodedLength > limit)
        return done(
          new PaddockError('payload_too_large', `the request body is over ${limit} bytes once decoded`, {
            errorCode: 'request_body_too_large_after_decoding',
          }),
        );
      done(null, chunk);
    },
  });
  const output = bounded as Transform & { receivedEncodedLength?: number };
  payload.on('data', (chunk: Buffer) => {
    encodedLength += chunk.length;
    output.receivedEncodedLength = encodedLength;
  });
  payload.on('error', (error) => output.destroy(error));
  decoder.on('error', () =>
    output.destroy(
      new PaddockError('invalid_request', 'content-encoding: the request body does not decode', {
        errorCode: 'request_body_encoding_invalid',
      }),
    ),
  );
  payload.pipe(decoder).pipe(bounded);
  return output;
}
