import { channel } from 'node:diagnostics_channel';

/** Channel that receives every terminal {@link RunRecord}, one message per run. */
export const RUN_CHANNEL = 'tollgate:langchain:run';
/** Channel that receives `{ method, error: { name, code } }` when the handler itself fails. */
export const HANDLER_ERROR_CHANNEL = 'tollgate:langchain:handler-error';

export const runChannel = channel(RUN_CHANNEL);
export const handlerErrorChannel = channel(HANDLER_ERROR_CHANNEL);
