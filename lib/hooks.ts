// Hands lib/'s functions to the addon once per load: the error class it throws and the trace
// dispatcher. Internal.
import { RedirectError } from './errors';
import { native } from './native';
import { dispatchTrace } from './trace';

native.setHooks({ RedirectError, dispatchTrace });
