import {
  currentSession,
  finishCognitoSignIn,
  localUsers,
  signInLocally,
  startCognitoSignIn,
  takeReturn,
} from '../auth.ts';
import { h } from '../dom.ts';
import { roleNames } from '../format.ts';
import { errorSummaryHost, FormErrors } from '../forms.ts';
import { heading, type Page, type View } from '../page.ts';
import { navigate } from '../router.ts';

/**
 * Sign-in. Locally, a list of the seeded staff, one button each. On AWS, one button that
 * goes to Cognito's hosted page; it comes back to /callback.
 */
export const signInView: View = async ({ config }) => {
  const summary = errorSummaryHost();
  const errors = new FormErrors(summary);
  if (currentSession()) {
    return {
      title: 'Signed in',
      content: [
        heading('You are signed in'),
        h('p', { class: 'body' }, h('a', { href: '/' }, 'Go to the inbox')),
      ],
    };
  }
  if (config.mode === 'cognito') {
    const start = h('button', { class: 'button button--start', type: 'button' }, 'Sign in');
    start.addEventListener('click', () => void errors.run(start, () => startCognitoSignIn(config)));
    return {
      title: 'Sign in',
      content: [
        summary,
        heading('Sign in to postroom'),
        h(
          'p',
          { class: 'body' },
          'You will sign in on the office’s sign-in page, then come back here.',
        ),
        start,
      ],
    };
  }
  const users = await localUsers(config);
  const choose = async (button: HTMLButtonElement, email: string) =>
    errors.run(button, async () => {
      await signInLocally(config, email);
      navigate(takeReturn(), { replace: true });
    });
  return {
    title: 'Sign in',
    content: [
      summary,
      heading('Sign in to postroom'),
      h(
        'p',
        { class: 'body' },
        'This is postroom running on this computer. Choose who to sign in as; on AWS, staff sign in with their own account.',
      ),
      h(
        'ul',
        { class: 'user-list' },
        users.map((user) => {
          const describedBy = `user-${user.email.replace(/[^a-z0-9]/gi, '-')}`;
          const button = h(
            'button',
            {
              class: 'button button--secondary user-list__button',
              type: 'button',
              'aria-describedby': describedBy,
            },
            `Sign in as ${user.name}`,
          );
          button.addEventListener('click', () => void choose(button, user.email));
          return h(
            'li',
            { class: 'user-list__item' },
            button,
            h(
              'p',
              { class: 'user-list__detail', id: describedBy },
              `${roleNames(user.groups)} · ${user.email}`,
            ),
          );
        }),
      ),
    ],
  };
};

export const callbackView: View = async ({ config, query }): Promise<Page> => {
  if (config.mode !== 'cognito') {
    navigate('/sign-in', { replace: true });
    return { title: 'Sign in', content: [heading('Signing in…')] };
  }
  try {
    await finishCognitoSignIn(config, query);
  } catch (error) {
    return {
      title: 'Sign-in did not complete',
      content: [
        heading('Sign-in did not complete'),
        h('p', { class: 'body' }, (error as Error).message),
        h('p', { class: 'body' }, h('a', { href: '/sign-in' }, 'Try signing in again')),
      ],
    };
  }
  // Replace, so Back does not return to a used code.
  queueMicrotask(() => navigate(takeReturn(), { replace: true }));
  return { title: 'Signing in', content: [heading('Signing in…')] };
};
