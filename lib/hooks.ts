// Hands lib/'s functions to the addon once per load: the error class it throws, the
// end-of-task flush scheduler and the trace dispatcher. Internal.
import { scheduleFlush } from './auto-flush';
import { RedirectError } from './errors';
import { native } from './native';
import { dispatchTrace } from './trace';

native.setHooks({ RedirectError, scheduleFlush, dispatchTrace });
