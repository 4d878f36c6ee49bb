/**
 * The demo world `npm run seed` creates (scripts/seed.ts holds the logic). Everything refers to
 * people by username and to goals and posts by a local key; times are relative to "now" so the
 * feed always looks fresh. Money is written as exact decimal strings, like NUMERIC(12,2).
 */

/** Every demo account signs in with this password (it is printed by the seed on purpose). */
export const DEMO_PASSWORD = 'TribeDemo123!';

/** Demo accounts live at `<username>@example.com` (a reserved domain: no mail ever reaches anyone). */
export const demoEmail = (username: string): string => `${username}@example.com`;

export interface DemoUser {
  username: string;
  fullName: string;
  bio: string;
  timezone: string;
  /** Verified through the real verification flow (token from the mail, then verifyEmail). */
  emailVerified: boolean;
  profileVisibility: 'everyone' | 'friends_only' | 'private';
  joinedDaysAgo: number;
}

export const DEMO_USERS: DemoUser[] = [
  {
    username: 'brianokuku',
    fullName: 'Brian Okuku',
    bio: 'Saving for Costa Rica with my people 🌴 Weekly check-ins keep me honest.',
    timezone: 'Africa/Nairobi',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 90,
  },
  {
    username: 'clariegor',
    fullName: 'Clarie Gor',
    bio: 'Building an emergency fund, one shilling at a time. Cheerleader-in-chief.',
    timezone: 'Africa/Nairobi',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 88,
  },
  {
    username: 'alvinamwata',
    fullName: 'Alvin Amwata',
    bio: 'Couch to 5K in progress 🏃🏾‍♂️',
    timezone: 'Africa/Nairobi',
    emailVerified: true,
    profileVisibility: 'everyone',
    joinedDaysAgo: 85,
  },
  {
    username: 'cedricochola',
    fullName: 'Cedric Ochola',
    bio: 'Engineer, saver, occasional poet.',
    timezone: 'Africa/Nairobi',
    emailVerified: false,
    profileVisibility: 'everyone',
    joinedDaysAgo: 80,
  },
  {
    username: 'derrickjuma',
    fullName: 'Derrick Juma',
    bio: 'Sunday long runs at Karura. Ask me about accountability partners.',
    timezone: 'Africa/Nairobi',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 78,
  },
  {
    username: 'brianonyango',
    fullName: 'Brian Onyango',
    bio: 'Ran 10k this week. Next: a half marathon.',
    timezone: 'Africa/Nairobi',
    emailVerified: false,
    profileVisibility: 'everyone',
    joinedDaysAgo: 60,
  },
  {
    username: 'wanjikukamau',
    fullName: 'Wanjiku Kamau',
    bio: 'Journaling, reading, and slowly learning the guitar.',
    timezone: 'Africa/Nairobi',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 55,
  },
  {
    username: 'achiengotieno',
    fullName: 'Achieng Otieno',
    bio: 'Kisumu born. Chasing sunsets and savings goals.',
    timezone: 'Africa/Nairobi',
    emailVerified: false,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 40,
  },
  {
    username: 'neemamushi',
    fullName: 'Neema Mushi',
    bio: 'Chama treasurer. Pamoja tunaweza.',
    timezone: 'Africa/Dar_es_Salaam',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 70,
  },
  {
    username: 'josephmugisha',
    fullName: 'Joseph Mugisha',
    bio: 'Kampala. Early mornings, strong coffee, steady goals.',
    timezone: 'Africa/Kampala',
    emailVerified: false,
    profileVisibility: 'private',
    joinedDaysAgo: 65,
  },
  {
    username: 'graceuwase',
    fullName: 'Grace Uwase',
    bio: 'Kigali. Hiking the thousand hills, one goal at a time.',
    timezone: 'Africa/Kigali',
    emailVerified: true,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 62,
  },
  {
    username: 'kevinkiprono',
    fullName: 'Kevin Kiprono',
    bio: 'Eldoret runner. Hills are my friends.',
    timezone: 'Africa/Nairobi',
    emailVerified: false,
    profileVisibility: 'friends_only',
    joinedDaysAgo: 30,
  },
];

/** Accepted friendships: [requester, addressee, accepted days ago]. One row per pair. */
export const DEMO_FRIENDSHIPS: Array<[string, string, number]> = [
  ['brianokuku', 'clariegor', 85],
  ['brianokuku', 'alvinamwata', 84],
  ['brianokuku', 'cedricochola', 79],
  ['brianokuku', 'derrickjuma', 77],
  ['wanjikukamau', 'brianokuku', 50],
  ['clariegor', 'alvinamwata', 82],
  ['clariegor', 'derrickjuma', 76],
  ['achiengotieno', 'clariegor', 38],
  ['alvinamwata', 'brianonyango', 58],
  ['alvinamwata', 'derrickjuma', 75],
  ['kevinkiprono', 'alvinamwata', 28],
  ['cedricochola', 'derrickjuma', 74],
  ['derrickjuma', 'brianonyango', 57],
  ['wanjikukamau', 'achiengotieno', 37],
  ['neemamushi', 'josephmugisha', 64],
  ['graceuwase', 'neemamushi', 61],
];

/** Friend requests still waiting for an answer: [requester, addressee, requested days ago]. */
export const DEMO_PENDING_REQUESTS: Array<[string, string, number]> = [
  ['achiengotieno', 'brianokuku', 2],
  ['kevinkiprono', 'clariegor', 1],
  ['brianokuku', 'brianonyango', 3],
];

/** [blocker, blocked]: the pair has no friendship and no likes or comments on each other's posts. */
export const DEMO_BLOCKS: Array<[string, string]> = [['graceuwase', 'kevinkiprono']];

/** Active accountability partnerships between friends: [requester, partner, started days ago]. */
export const DEMO_PARTNERSHIPS: Array<[string, string, number]> = [
  ['brianokuku', 'clariegor', 60],
  ['derrickjuma', 'alvinamwata', 24],
];

export interface DemoContribution {
  by: string;
  /** Exact decimal string, e.g. "450.00". */
  amount: string;
  note?: string;
  daysAgo: number;
}

export interface DemoMilestone {
  title: string;
  targetValue?: string;
  /** Set when the milestone has been achieved. */
  achieved?: { by: string; daysAgo: number };
}

export interface DemoGoal {
  key: string;
  creator: string;
  title: string;
  description: string;
  category: string;
  goalType: 'individual' | 'group';
  targetType: 'amount' | 'milestone';
  /** For amount goals: exact decimal string. current_amount is the sum of `contributions`. */
  targetAmount?: string;
  currency: string;
  /** Target date, this many days from now (negative: in the past). */
  targetDateInDays: number;
  isPublic: boolean;
  createdDaysAgo: number;
  /** Completed goals must be at 100 %. */
  completedDaysAgo?: number;
  /** Participants besides the creator (who always takes part, as 'creator'). */
  members?: string[];
  contributions?: DemoContribution[];
  milestones?: DemoMilestone[];
}

export const DEMO_GOALS: DemoGoal[] = [
  {
    key: 'costa-rica',
    creator: 'brianokuku',
    title: 'Trip to Costa Rica 🌴',
    description: 'Save money for our dream vacation',
    category: 'travel',
    goalType: 'group',
    targetType: 'amount',
    targetAmount: '3000.00',
    currency: 'USD',
    targetDateInDays: 150,
    isPublic: false,
    createdDaysAgo: 45,
    members: ['clariegor', 'alvinamwata', 'derrickjuma'],
    contributions: [
      { by: 'brianokuku', amount: '500.00', note: 'Kick-off deposit', daysAgo: 40 },
      { by: 'clariegor', amount: '450.00', daysAgo: 35 },
      { by: 'alvinamwata', amount: '400.00', note: 'From my side hustle', daysAgo: 28 },
      { by: 'derrickjuma', amount: '350.00', daysAgo: 20 },
      { by: 'brianokuku', amount: '250.00', note: 'Bonus month!', daysAgo: 6 },
    ],
  },
  {
    key: 'run-5k',
    creator: 'alvinamwata',
    title: 'Run a 5K',
    description: 'From the couch to a full 5K by the end of next month.',
    category: 'fitness',
    goalType: 'individual',
    targetType: 'milestone',
    currency: 'USD',
    targetDateInDays: 30,
    isPublic: true,
    createdDaysAgo: 25,
    milestones: [
      { title: 'Run 1 km without stopping', targetValue: '1.00', achieved: { by: 'alvinamwata', daysAgo: 20 } },
      { title: 'Run 2.5 km', targetValue: '2.50', achieved: { by: 'alvinamwata', daysAgo: 9 } },
      { title: 'Run 4 km', targetValue: '4.00' },
      { title: 'Run the full 5K', targetValue: '5.00' },
    ],
  },
  {
    key: 'emergency-fund',
    creator: 'clariegor',
    title: 'Emergency fund',
    description: 'Three months of expenses set aside, just in case.',
    category: 'savings',
    goalType: 'individual',
    targetType: 'amount',
    targetAmount: '50000.00',
    currency: 'KES',
    targetDateInDays: 240,
    isPublic: false,
    createdDaysAgo: 60,
    contributions: [
      { by: 'clariegor', amount: '5000.00', daysAgo: 58 },
      { by: 'clariegor', amount: '4500.00', daysAgo: 30 },
      { by: 'clariegor', amount: '3000.00', note: 'Skipped takeaway this month', daysAgo: 3 },
    ],
  },
  {
    key: 'run-10k-week',
    creator: 'brianonyango',
    title: 'Run 10k this week',
    description: 'Three runs, ten kilometres, one week.',
    category: 'fitness',
    goalType: 'individual',
    targetType: 'milestone',
    currency: 'USD',
    targetDateInDays: -2,
    isPublic: true,
    createdDaysAgo: 8,
    completedDaysAgo: 3,
    milestones: [
      { title: 'Monday: 3 km', targetValue: '3.00', achieved: { by: 'brianonyango', daysAgo: 7 } },
      { title: 'Wednesday: 3 km', targetValue: '3.00', achieved: { by: 'brianonyango', daysAgo: 5 } },
      { title: 'Saturday: 4 km', targetValue: '4.00', achieved: { by: 'brianonyango', daysAgo: 3 } },
    ],
  },
  {
    key: 'new-laptop',
    creator: 'cedricochola',
    title: 'New laptop for my side projects',
    description: 'A reliable machine, paid in cash.',
    category: 'education',
    goalType: 'individual',
    targetType: 'amount',
    targetAmount: '800.00',
    currency: 'USD',
    targetDateInDays: -5,
    isPublic: true,
    createdDaysAgo: 75,
    completedDaysAgo: 10,
    contributions: [
      { by: 'cedricochola', amount: '300.00', daysAgo: 70 },
      { by: 'cedricochola', amount: '300.00', daysAgo: 40 },
      { by: 'cedricochola', amount: '200.00', note: 'Done!', daysAgo: 10 },
    ],
  },
  {
    key: 'chama',
    creator: 'neemamushi',
    title: 'Chama savings pool',
    description: 'Our circle saves together every month; the pool funds a shared business idea.',
    category: 'savings',
    goalType: 'group',
    targetType: 'amount',
    targetAmount: '600.00',
    currency: 'USD',
    targetDateInDays: 90,
    isPublic: false,
    createdDaysAgo: 60,
    members: ['josephmugisha', 'graceuwase'],
    contributions: [
      { by: 'neemamushi', amount: '120.00', daysAgo: 55 },
      { by: 'josephmugisha', amount: '120.00', daysAgo: 50 },
      { by: 'graceuwase', amount: '120.00', daysAgo: 45 },
    ],
  },
];

export interface DemoComment {
  by: string;
  content: string;
  hoursAgo: number;
  replies?: Array<{ by: string; content: string; hoursAgo: number }>;
}

/** Text posts (media is not built yet): seen by the author's friends, or by everyone when public. */
export interface DemoPost {
  author: string;
  caption: string;
  visibility: 'friends' | 'public';
  goal?: string;
  hoursAgo: number;
  likedBy: string[];
  comments: DemoComment[];
}

export const DEMO_POSTS: DemoPost[] = [
  {
    author: 'alvinamwata',
    caption: 'First training session in the books!',
    visibility: 'friends',
    goal: 'run-5k',
    hoursAgo: 480,
    likedBy: ['clariegor', 'brianokuku', 'derrickjuma', 'brianonyango'],
    comments: [
      {
        by: 'clariegor',
        content: 'Yesss! So proud of you! Way to start strong. 💪',
        hoursAgo: 478,
        replies: [{ by: 'alvinamwata', content: 'Thank you! Next stop: 2.5 km 🏃🏾‍♂️', hoursAgo: 476 }],
      },
      { by: 'derrickjuma', content: 'Karura on Saturday? I will pace you.', hoursAgo: 470 },
    ],
  },
  {
    author: 'brianokuku',
    caption: 'Costa Rica fund just passed 65%! 🌴 Who is packing the sunscreen?',
    visibility: 'friends',
    goal: 'costa-rica',
    hoursAgo: 140,
    likedBy: ['clariegor', 'alvinamwata', 'derrickjuma', 'cedricochola'],
    comments: [
      { by: 'alvinamwata', content: 'Already practising my surf pose 🏄🏾', hoursAgo: 138 },
      { by: 'clariegor', content: 'Zip-lining is non-negotiable!', hoursAgo: 130 },
    ],
  },
  {
    author: 'clariegor',
    caption: 'A quarter of the way to my emergency fund. Small steps, every week.',
    visibility: 'friends',
    goal: 'emergency-fund',
    hoursAgo: 70,
    likedBy: ['brianokuku', 'achiengotieno'],
    comments: [{ by: 'brianokuku', content: 'Consistency wins. Proud of you, partner!', hoursAgo: 68 }],
  },
  {
    author: 'brianonyango',
    caption: "Completed 'Run 10k this week'! Legs are jelly, heart is full.",
    visibility: 'public',
    goal: 'run-10k-week',
    hoursAgo: 71,
    likedBy: ['alvinamwata', 'derrickjuma', 'brianokuku', 'kevinkiprono'],
    comments: [
      { by: 'alvinamwata', content: 'Beast mode 🔥', hoursAgo: 69 },
      { by: 'derrickjuma', content: 'Next up: a half marathon?', hoursAgo: 60 },
    ],
  },
  {
    author: 'cedricochola',
    caption: 'New laptop secured 💻 Saved every shilling for it. Thanks for keeping me honest, everyone.',
    visibility: 'public',
    goal: 'new-laptop',
    hoursAgo: 236,
    likedBy: ['brianokuku', 'derrickjuma'],
    comments: [{ by: 'derrickjuma', content: 'Well deserved!', hoursAgo: 230 }],
  },
  {
    author: 'derrickjuma',
    caption: 'Sunday long run around Karura Forest. Who is joining next week?',
    visibility: 'public',
    hoursAgo: 30,
    likedBy: ['alvinamwata', 'brianonyango', 'cedricochola'],
    comments: [{ by: 'brianonyango', content: 'Count me in.', hoursAgo: 28 }],
  },
  {
    author: 'wanjikukamau',
    caption: 'Day one of thirty: journaling before coffee.',
    visibility: 'friends',
    hoursAgo: 50,
    likedBy: ['achiengotieno', 'brianokuku'],
    comments: [],
  },
  {
    author: 'neemamushi',
    caption: 'Our chama just hit 60%! Asanteni for keeping each other honest.',
    visibility: 'friends',
    goal: 'chama',
    hoursAgo: 12,
    likedBy: ['josephmugisha', 'graceuwase'],
    comments: [{ by: 'graceuwase', content: 'Tuko pamoja! 🙌🏾', hoursAgo: 10 }],
  },
];
