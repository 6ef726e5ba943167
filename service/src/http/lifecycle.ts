import fp from 'fastify-plugin';

/** Process-wide state the routes read: draining from SIGTERM until exit. */
export interface Lifecycle {
  draining: boolean;
}

/**
 * While draining, every response asks the client to close its connection, so keep-alive connections end with
 * the requests in flight and closing the server does not wait for idle clients.
 */
export const lifecyclePlugin = fp<{ lifecycle: Lifecycle }>(
  async (app, { lifecycle }) => {
    // Callback style: this runs on every response, and an async hook would cost a promise each time.
    app.addHook('onSend', (_request, reply, payload, done) => {
      if (lifecycle.draining) reply.header('connection', 'close');
      done(null, payload);
    });
  },
  { name: 'lifecycle' },
);
